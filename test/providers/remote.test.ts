import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinEnvironments } from '../../src/envs/builtins.js';
import { EnvironmentRegistry } from '../../src/envs/registry.js';
import { RemoteProvider } from '../../src/providers/remote.js';
import type { TaskResult } from '../../src/reporters/types.js';
import { runEvals } from '../../src/runner/run.js';
import { serve, type ServeHandle } from '../../src/sandbox/http-server.js';
import type { Sandbox } from '../../src/sandbox/types.js';
import { repoRoot, tempProject, type TempProject } from '../helpers/project.js';

const handles: ServeHandle[] = [];
const providers: RemoteProvider[] = [];
let project: TempProject | undefined;
afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.close({ keep: false })));
  await Promise.all(handles.splice(0).map((handle) => handle.close()));
  project?.remove();
  project = undefined;
});

/** A real server on loopback; `port` restarts one on the port of a server that was closed. */
async function server(token?: string, port = 0): Promise<ServeHandle> {
  const handle = await serve({ port, registry: new EnvironmentRegistry(builtinEnvironments), ...(token ? { token } : {}) });
  handles.push(handle);
  return handle;
}

type RemoteSandbox = Sandbox & { url: string };

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
    for (let k = 0; k < 4; k += 1) acquired.push((await provider.acquire('guess')) as RemoteSandbox);
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

  it('fails with ConfigError on a bad recoveryWaitMs', () => {
    expect(() => new RemoteProvider({ urls: ['http://127.0.0.1:1'], recoveryWaitMs: -1 })).toThrow(/Expected `recoveryWaitMs` to be an integer from 0 and up, got `-1` \(number\)/);
  });
});

/** 20 guess tasks (val) with the oracle, one at a time, through `provider`; `onTaskStart(n)` runs before the n-th (from 1). */
async function runThrough(provider: RemoteProvider, options: { retries: number; onTaskStart: (n: number) => Promise<void> }) {
  project = tempProject();
  const results: TaskResult[] = [];
  let started = 0;
  const outcome = await runEvals({
    root: project.dir,
    dataset: 'guess',
    split: 'val',
    agent: 'oracle',
    provider: 'remote',
    urls: ['http://127.0.0.1:1'], // unused: the shared provider below is the one the run gets
    sharedProvider: async () => provider,
    concurrency: 1,
    retries: options.retries,
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    extraReporters: [{ onTaskStart: () => options.onTaskStart((started += 1)), onTaskEnd: (result) => void results.push(result) }],
  });
  return { results, exitCode: outcome.exitCode };
}

async function initialised(options: ConstructorParameters<typeof RemoteProvider>[0]): Promise<RemoteProvider> {
  const provider = new RemoteProvider(options);
  providers.push(provider);
  await provider.init(run);
  return provider;
}

describe('RemoteProvider when servers die', () => {
  it('a server killed mid-run gets one more episode, the rest go to the live server, and --retries loses nothing', async () => {
    const [doomed, live] = [await server(), await server()];
    const provider = await initialised({ urls: [doomed.url, live.url] });
    const { results, exitCode } = await runThrough(provider, {
      retries: 1,
      onTaskStart: async (n) => {
        if (n === 5) await doomed.close();
      },
    });

    expect(results).toHaveLength(20);
    expect(results.every((result) => result.status === 'passed')).toBe(true);
    expect(exitCode).toBe(0);
    // an episode that met the dead server ran again on the live one: only the first did (round robin
    // without failover sent every other one there, 16 of them)
    expect(results.filter((result) => result.attempts === 2)).toHaveLength(1);
    expect(doomed.manager.metrics.created).toBe(2);
    expect(live.manager.metrics.created).toBe(18);
  });

  it('when every server is down, episodes fail fast as infrastructure errors saying what is down and since when', async () => {
    const [a, b] = [await server(), await server()];
    const provider = await initialised({ urls: [a.url, b.url], recoveryWaitMs: 0 });
    const { results, exitCode } = await runThrough(provider, {
      retries: 0,
      onTaskStart: async (n) => {
        if (n === 3) await Promise.all([a.close(), b.close()]);
      },
    });

    expect(exitCode).toBe(2);
    expect(results).toHaveLength(20);
    expect(results.slice(0, 2).every((result) => result.status === 'passed')).toBe(true);
    const errored = results.slice(2);
    expect(errored.every((result) => result.status === 'errored' && result.error?.kind === 'infra' && result.error.code === 'SE_SANDBOX_UNAVAILABLE')).toBe(true);
    // one episode per server found it dead (paying the client's retries); the other 16 never left acquire
    const reached = errored.filter((result) => result.error!.message.startsWith('Cannot reach'));
    expect(reached.map((result) => result.error!.message.includes(a.url) ? 'a' : 'b').sort()).toEqual(['a', 'b']);
    const refused = errored.filter((result) => !result.error!.message.startsWith('Cannot reach'));
    expect(refused).toHaveLength(16);
    for (const { error } of refused) {
      expect(error!.message).toMatch(/^All 2 remote sandbox servers are down, so this episode was not started: /);
      expect(error!.message).toContain(`${a.url} (down since `);
      expect(error!.message).toContain(`${b.url} (down since `);
      expect(error!.message).toMatch(/down since \d{4}-\d\d-\d\dT[\d:.]+Z, [\d.]+ s ago: Cannot reach the sandbox at/);
      expect(error!.message).toContain('Check that the servers are running');
      expect(error!.message).toContain('`--retries <n>`');
    }
  });

  it('waits for a server that restarts (within recoveryWaitMs), so a restart loses no queued task', async () => {
    const only = await server();
    const provider = await initialised({ urls: [only.url] });
    let restarted: ServeHandle | undefined;
    const { results, exitCode } = await runThrough(provider, {
      retries: 1,
      onTaskStart: async (n) => {
        if (n !== 5) return;
        await only.close();
        // back after the client's own retries (~0.6 s) have given up, as a supervisor would restart it
        setTimeout(() => void server(undefined, only.port).then((handle) => (restarted = handle)), 1_500);
      },
    });

    expect(results).toHaveLength(20);
    expect(results.every((result) => result.status === 'passed')).toBe(true);
    expect(exitCode).toBe(0);
    // the episode that met the dead server waited for the restart and ran again on it, and so did the rest
    expect(results.filter((result) => result.attempts === 2).map((result) => result.taskId)).toEqual(['guess_64']);
    expect(restarted!.manager.metrics.created).toBe(16);
  });

  it('a server that answers /healthz again gets work again', async () => {
    const [a, b] = [await server(), await server()];
    const provider = await initialised({ urls: [a.url, b.url] });
    await a.close();
    const first = (await provider.acquire('guess')) as RemoteSandbox;
    expect(first.url).toBe(a.url);
    await expect(first.getEnvProfile({ envType: 'guess' })).rejects.toMatchObject({ code: 'SE_SANDBOX_UNAVAILABLE' });
    const whileDown: string[] = [];
    for (let k = 0; k < 4; k += 1) whileDown.push(((await provider.acquire('guess')) as RemoteSandbox).url);
    expect(whileDown).toEqual([b.url, b.url, b.url, b.url]);

    const back = await server(undefined, a.port);
    let probes = 0;
    back.server.server.on('request', (req: { url?: string }) => void (req.url === '/healthz' && (probes += 1)));
    let again: RemoteSandbox | undefined;
    for (let tries = 0; tries < 50 && !again; tries += 1) {
      const sandbox = (await provider.acquire('guess')) as RemoteSandbox;
      if (sandbox.url === a.url) again = sandbox;
      else await sleep(100);
    }
    expect(again).toBeDefined();
    expect(probes).toBeGreaterThanOrEqual(1);
    expect(await again!.getEnvProfile({ envType: 'guess', split: 'val' })).toHaveLength(20);
    // round robin over both again
    const after = [];
    for (let k = 0; k < 4; k += 1) after.push(((await provider.acquire('guess')) as RemoteSandbox).url);
    expect(after).toEqual([b.url, a.url, b.url, a.url]);
  });

  it('acquire fails at once when every server is down and recoveryWaitMs has passed', async () => {
    const only = await server();
    const provider = await initialised({ urls: [only.url], recoveryWaitMs: 0 });
    await only.close();
    const sandbox = await provider.acquire('guess');
    await expect(sandbox.getEnvProfile({ envType: 'guess' })).rejects.toMatchObject({ code: 'SE_SANDBOX_UNAVAILABLE' });
    const error = await provider.acquire('guess').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SandboxUnavailableError', code: 'SE_SANDBOX_UNAVAILABLE', exitCode: 2 });
    expect((error as Error).message).toMatch(new RegExp(`^The only remote sandbox server is down, so this episode was not started: ${only.url.replace(/[.]/g, '\\.')} \\(down since `));
    expect((error as Error).message).toContain('No server came back within 0 ms of the last one going down');
  });

  it('close() stops the probes and fails later acquires', async () => {
    const only = await server();
    const provider = await initialised({ urls: [only.url] });
    await only.close();
    const sandbox = await provider.acquire('guess');
    await expect(sandbox.getEnvProfile({ envType: 'guess' })).rejects.toMatchObject({ code: 'SE_SANDBOX_UNAVAILABLE' });
    await provider.close({ keep: false });

    const back = await server(undefined, only.port);
    let probes = 0;
    back.server.server.on('request', () => void (probes += 1));
    // the first probe was due 0.5 s after the failure, the next 1 s later
    await sleep(1_700);
    expect(probes).toBe(0);
    await expect(provider.acquire('guess')).rejects.toMatchObject({ code: 'SE_SANDBOX_CLOSED' });
  });

  it('probe timers do not keep the process alive', async () => {
    // a child process marks a server down and never closes the provider: it must still exit by itself
    const remote = pathToFileURL(join(repoRoot, 'dist/providers/remote.js')).href;
    const script = `
      import { RemoteProvider } from ${JSON.stringify(remote)};
      const provider = new RemoteProvider({ urls: [${JSON.stringify(await deadUrl())}] });
      const sandbox = await provider.acquire('guess');
      await sandbox.getEnvProfile({ envType: 'guess' }).catch((error) => console.log(error.code));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
    clearTimeout(timer);
    expect(stdout.trim()).toBe('SE_SANDBOX_UNAVAILABLE');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});
