import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinEnvironments } from '../../src/envs/builtins.js';
import { EnvironmentRegistry } from '../../src/envs/registry.js';
import { RemoteProvider } from '../../src/providers/remote.js';
import { HttpSandbox } from '../../src/sandbox/http-client.js';
import { serve, type ServeHandle } from '../../src/sandbox/http-server.js';

const handles: ServeHandle[] = [];
afterEach(async () => {
  await Promise.all(handles.splice(0).map((handle) => handle.close()));
});

async function server(token?: string): Promise<ServeHandle> {
  const handle = await serve({ port: 0, registry: new EnvironmentRegistry(builtinEnvironments), ...(token ? { token } : {}) });
  handles.push(handle);
  return handle;
}

async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const run = { runId: 'r', datasets: ['guess'] };

describe('RemoteProvider', () => {
  it('checks every server, round-robins sandboxes, and allows 8 episodes per URL', async () => {
    const [a, b] = [await server('tok'), await server('tok')];
    const provider = new RemoteProvider({ urls: [a.url, b.url], token: 'tok' });
    expect(provider.name).toBe('remote');
    expect(provider.defaultConcurrency).toBe(16);
    await provider.init(run);
    const acquired = [];
    for (let k = 0; k < 4; k += 1) acquired.push((await provider.acquire('guess')) as HttpSandbox);
    expect(acquired.map((s) => s.url)).toEqual([a.url, b.url, a.url, b.url]);
    const { info } = await acquired[1]!.createInstance({ envType: 'guess', taskId: 'guess_2' });
    expect(b.manager.metrics.live).toBe(1);
    expect(a.manager.metrics.live).toBe(0);
    expect(await acquired[1]!.releaseInstance({ instanceId: info.instance_id })).toBe(true);
    await provider.close({ keep: false });
    await expect(acquired[0]!.getEnvProfile({ envType: 'guess' })).rejects.toMatchObject({ code: 'SE_SANDBOX_CLOSED' });
  });

  it('init fails with SandboxUnavailableError naming the URL that is down', async () => {
    const up = await server();
    const down = await deadUrl();
    const provider = new RemoteProvider({ urls: [up.url, down], healthDeadlineMs: 300 });
    const error = await provider.init(run).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SE_SANDBOX_UNAVAILABLE' });
    expect((error as Error).message).toContain(down);
    expect((error as Error).message).not.toContain(up.url);
  });

  it('needs at least one valid URL', () => {
    expect(() => new RemoteProvider({ urls: [] })).toThrow(/at least one server URL/);
    expect(() => new RemoteProvider({ urls: ['nope'] })).toThrow(/Expected `url`/);
  });
});
