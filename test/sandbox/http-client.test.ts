import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinEnvironments } from '../../src/envs/builtins.js';
import { EnvironmentRegistry } from '../../src/envs/registry.js';
import { InstanceNotFoundError, RemoteSandboxError, SandboxUnavailableError, TimeoutError, UnknownSplitError } from '../../src/errors.js';
import { HttpSandbox, waitForHealthy } from '../../src/sandbox/http-client.js';
import { createSandboxServer } from '../../src/sandbox/http-server.js';
import { InstanceManager } from '../../src/sandbox/instance-manager.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Route = (body: Record<string, unknown>, req: IncomingMessage, res: ServerResponse) => void;

/** A node:http server on 127.0.0.1:0 answering with `route`; records every request it gets. */
async function fakeServer(route: Route): Promise<{ url: string; requests: Array<{ method: string; path: string; body: Record<string, unknown> }> }> {
  const requests: Array<{ method: string; path: string; body: Record<string, unknown> }> = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      requests.push({ method: req.method ?? '', path: req.url ?? '', body });
      route(body, req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function client(options: ConstructorParameters<typeof HttpSandbox>[0]): HttpSandbox {
  const sandbox = new HttpSandbox(options);
  cleanups.push(() => sandbox.close());
  return sandbox;
}

/** A port nothing listens on: bound, then closed. */
async function freePort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * A protocol double of AgentScope's training container (env_service, spec §3), because the real
 * image cannot be pulled here. It answers as the spec says the container does: `{success, data}`,
 * `{detail}` with no `code`, 400 "Instance <id> not found!", release of an unknown id as 200
 * `{success:false}`, /healthz as plain "OK", and a 422 detail list from FastAPI.
 */
function agentScopeDouble(): Route {
  const live = new Set<string>();
  return (body, req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('OK');
      return;
    }
    const id = body.instance_id as string | null;
    switch (req.url) {
      case '/get_env_profile':
        if ((body.params as { split?: string }).split === 'test') {
          json(res, 500, { detail: 'Traceback (most recent call last):\n  File "env_service.py", line 1\nKeyError: \'test\'' });
        } else json(res, 200, { success: true, data: ['multi_turn_base_0', 'multi_turn_base_1'] });
        return;
      case '/create': {
        const instanceId = id ?? 'exp_1714000000_a1b2c3d4';
        live.add(instanceId);
        json(res, 200, {
          success: true,
          data: { state: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hi' }], info: { instance_id: instanceId, task_id: body.task_id, test_id: body.task_id } },
        });
        return;
      }
      case '/step':
        if (!id || !live.has(id)) return json(res, 400, { detail: `Instance ${id} not found!` });
        if (body.messages === null) {
          return json(res, 422, { detail: [{ type: 'dict_type', loc: ['body', 'messages'], msg: 'Input should be a valid dictionary', input: null }] });
        }
        return json(res, 200, { success: true, data: { state: [{ role: 'user', content: 'obs', tool_calls: [] }], reward: 0.0, is_terminated: false, info: {} } });
      case '/evaluate':
        if (!id || !live.has(id)) return json(res, 400, { detail: `Instance ${id} not found!` });
        return json(res, 200, {
          success: true,
          data: (body.params as { sparse?: boolean }).sparse ? 1.0 : { valid: true, accuracy: 1.0, total_count: 1, correct_count: 1 },
        });
      case '/get_info':
        return json(res, 200, { success: true, data: 'Available tools:\n- cd\n- ls' });
      case '/release':
        json(res, 200, { success: id !== null && live.delete(id), data: null });
        return;
      default:
        json(res, 404, { detail: 'Not Found' });
    }
  };
}

describe('HttpSandbox against an AgentScope container (protocol double)', () => {
  it('sends all five envelope keys on every POST, as the Python client does', async () => {
    const { url, requests } = await fakeServer(agentScopeDouble());
    const sandbox = client({ url });
    expect(await sandbox.getEnvProfile({ envType: 'bfcl', split: 'val' })).toEqual(['multi_turn_base_0', 'multi_turn_base_1']);
    const initial = await sandbox.createInstance({ envType: 'bfcl', taskId: 'multi_turn_base_1', params: { model_name: 'gt-script' } });
    const id = initial.info.instance_id;
    await sandbox.step({ instanceId: id, action: { role: 'assistant', content: '<tool_call>{"name":"ls","arguments":{}}</tool_call>' } });
    await sandbox.evaluate({ instanceId: id, params: { sparse: false } });
    await sandbox.getInfo({ instanceId: id });
    await sandbox.releaseInstance({ instanceId: id });

    for (const request of requests) {
      expect(request.method).toBe('POST');
      expect(Object.keys(request.body).sort()).toEqual(['env_type', 'instance_id', 'messages', 'params', 'task_id']);
      expect(request.body.messages).toBeTypeOf('object');
      expect(request.body.messages).not.toBeNull();
      expect(request.body.params).toBeTypeOf('object');
    }
    expect(requests.map((r) => r.path)).toEqual(['/get_env_profile', '/create', '/step', '/evaluate', '/get_info', '/release']);
    expect(requests[0]!.body).toEqual({ env_type: 'bfcl', task_id: null, instance_id: null, messages: {}, params: { split: 'val' } });
    expect(requests[1]!.body).toEqual({ env_type: 'bfcl', task_id: 'multi_turn_base_1', instance_id: null, messages: {}, params: { model_name: 'gt-script' } });
    expect(requests[2]!.body).toMatchObject({ env_type: 'default', task_id: null, instance_id: id, messages: { role: 'assistant' }, params: {} });
    expect(requests[5]!.body).toEqual({ env_type: 'default', task_id: null, instance_id: id, messages: {}, params: {} });
  });

  it('accepts what the container answers: init without tools, step state with tool_calls [], BFCL detail objects', async () => {
    const { url } = await fakeServer(agentScopeDouble());
    const sandbox = client({ url });
    const initial = await sandbox.createInstance({ envType: 'bfcl', taskId: 'multi_turn_base_0', instanceId: 'mine' });
    expect(initial.info).toEqual({ instance_id: 'mine', task_id: 'multi_turn_base_0', test_id: 'multi_turn_base_0' });
    expect(initial.tools).toBeUndefined();
    const step = await sandbox.step({ instanceId: 'mine', action: { role: 'assistant', content: 'ok.1' } });
    expect(step).toEqual({ state: [{ role: 'user', content: 'obs', tool_calls: [] }], reward: 0, is_terminated: false, info: {} });
    expect(await sandbox.evaluate({ instanceId: 'mine', params: { sparse: true } })).toBe(1);
    expect(await sandbox.evaluate({ instanceId: 'mine' })).toMatchObject({ valid: true, accuracy: 1 });
    expect(await sandbox.getInfo({ instanceId: 'mine' })).toBe('Available tools:\n- cd\n- ls');
    expect(await sandbox.releaseInstance({ instanceId: 'mine' })).toBe(true);
    expect(await sandbox.releaseInstance({ instanceId: 'mine' })).toBe(false);
  });

  it('turns code-less errors into RemoteSandboxError with status and detail', async () => {
    const { url } = await fakeServer(agentScopeDouble());
    const sandbox = client({ url });
    const notFound = await sandbox.step({ instanceId: 'x', action: { role: 'assistant', content: '1' } }).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(RemoteSandboxError);
    expect(notFound).toMatchObject({ status: 400, code: 'SE_REMOTE_ERROR' });
    expect((notFound as Error).message).toContain('Instance x not found!');
    const traceback = await sandbox.getEnvProfile({ envType: 'bfcl', split: 'test' }).catch((e: unknown) => e);
    expect(traceback).toMatchObject({ status: 500 });
    expect((traceback as Error).message).toContain("KeyError: 'test'");
  });

  it('formats FastAPI 422 detail lists', async () => {
    const { url } = await fakeServer(agentScopeDouble());
    const sandbox = client({ url });
    await sandbox.createInstance({ envType: 'bfcl', taskId: 't', instanceId: 'a' });
    // force a null `messages` onto the wire, which our own client never sends
    const error = await sandbox.step({ instanceId: 'a', action: null as never }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 422 });
    expect((error as Error).message).toContain('body.messages: Input should be a valid dictionary');
  });

  it('waitForHealthy accepts the container\'s plain "OK"', async () => {
    const { url, requests } = await fakeServer(agentScopeDouble());
    await waitForHealthy({ url, deadlineMs: 2_000 });
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /healthz']);
  });
});

describe('HttpSandbox errors and retries', () => {
  it('turns our server\'s codes back into the named error classes, keeping its wording', async () => {
    const server = createSandboxServer({ manager: new InstanceManager({ registry: new EnvironmentRegistry(builtinEnvironments) }) });
    const { url } = await server.listen({ port: 0 });
    cleanups.push(() => server.close());
    const sandbox = client({ url });
    const missing = await sandbox.evaluate({ instanceId: 'ghost' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InstanceNotFoundError);
    expect((missing as Error).message).toMatch(/^Instance ghost not found!/);
    expect((missing as Error).stack).toContain('Instance ghost not found!');
    const split = await sandbox.getEnvProfile({ envType: 'guess', split: 'nope' }).catch((e: unknown) => e);
    expect(split).toBeInstanceOf(UnknownSplitError);
    expect((split as Error).message).toContain('Known splits: train, val, test');
  });

  it('unknown codes become RemoteSandboxError with the remote code kept', async () => {
    const { url } = await fakeServer((_body, _req, res) => json(res, 418, { detail: 'teapot', code: 'SE_FROM_THE_FUTURE' }));
    const error = await client({ url }).getInfo({ instanceId: 'a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteSandboxError);
    expect(error).toMatchObject({ status: 418, remoteCode: 'SE_FROM_THE_FUTURE' });
  });

  it('retries idempotent calls after a proxy 503, but never a step', async () => {
    let count = 0;
    const { url, requests } = await fakeServer((_body, req, res) => {
      count += 1;
      if (count === 1 || req.url === '/step') return json(res, 503, { detail: 'upstream busy' });
      json(res, 200, { success: true, data: 'info' });
    });
    const sandbox = client({ url });
    expect(await sandbox.getInfo({ instanceId: 'a' })).toBe('info');
    expect(requests).toHaveLength(2);
    await expect(sandbox.step({ instanceId: 'a', action: { role: 'assistant', content: '1' } })).rejects.toMatchObject({ status: 503 });
    expect(requests).toHaveLength(3);
  });

  it('a connection dropped after the request was sent: get_info is retried, step is not', async () => {
    let connections = 0;
    const tcp = createTcpServer((socket: Socket) => {
      connections += 1;
      // the first connection of each test phase takes the request and hangs up without an answer
      if (connections === 1 || connections === 3) {
        socket.once('data', () => socket.destroy());
        return;
      }
      socket.once('data', () => {
        const text = JSON.stringify({ success: true, data: 'info' });
        socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${text.length}\r\nconnection: close\r\n\r\n${text}`);
      });
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => tcp.close(() => resolve())));
    const sandbox = client({ url: `http://127.0.0.1:${(tcp.address() as AddressInfo).port}` });
    expect(await sandbox.getInfo({ instanceId: 'a' })).toBe('info');
    expect(connections).toBe(2);
    const error = await sandbox.step({ instanceId: 'a', action: { role: 'assistant', content: '1' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxUnavailableError);
    expect(connections).toBe(3);
  });

  it('connection refused: create is retried until the server is up; with no retries it fails naming the URL', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const refused = await client({ url, retries: 0 }).createInstance({ envType: 'guess', taskId: 'guess_0', instanceId: 'r' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SandboxUnavailableError);
    expect((refused as Error).message).toContain(url);
    expect((refused as Error).message).toContain('ECONNREFUSED');

    const server = createSandboxServer({ manager: new InstanceManager({ registry: new EnvironmentRegistry(builtinEnvironments) }) });
    cleanups.push(() => server.close());
    // the first attempt is refused at once; the server is up before the first backoff (>= 100 ms) ends
    const created = client({ url, retries: 2 }).createInstance({ envType: 'guess', taskId: 'guess_0', instanceId: 'r' });
    setTimeout(() => void server.listen({ port }), 20);
    expect((await created).info.instance_id).toBe('r');
  });

  it('a server that does not answer in time raises TimeoutError', async () => {
    const { url } = await fakeServer(() => undefined);
    const error = await client({ url, timeoutMs: 150 }).getInfo({ instanceId: 'a' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toContain('within 150 ms');
  });

  it('an answer outside the protocol is SandboxUnavailableError naming the field', async () => {
    const { url } = await fakeServer((_body, _req, res) => json(res, 200, { success: true, data: { state: 'nope', reward: 0, is_terminated: false } }));
    const error = await client({ url }).step({ instanceId: 'a', action: { role: 'assistant', content: '1' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxUnavailableError);
    expect((error as Error).message).toContain('Expected `data.state` to be an array, got `"nope"` (string)');
  });

  it('checks its options', () => {
    expect(() => new HttpSandbox({ url: 'not a url' })).toThrow(/Expected `url` to be an http\(s\) URL/);
    expect(() => new HttpSandbox({ url: 'ftp://x' })).toThrow(/http or https/);
    expect(() => new HttpSandbox({ url: 'http://x', retries: -1 })).toThrow(/`retries`/);
  });

  it('keeps a path prefix of the base URL', async () => {
    const { url, requests } = await fakeServer(agentScopeDouble());
    await client({ url: `${url}/prefix/` }).getEnvProfile({ envType: 'bfcl' }).catch(() => undefined);
    expect(requests[0]!.path).toBe('/prefix/get_env_profile');
  });
});

describe('waitForHealthy', () => {
  it('fails with SandboxUnavailableError naming the URL when the deadline passes', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const error = await waitForHealthy({ url, deadlineMs: 300, intervalMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxUnavailableError);
    expect((error as Error).message).toContain(url);
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('keeps polling through non-200 answers until /healthz is 200', async () => {
    let count = 0;
    const { url } = await fakeServer((_body, _req, res) => {
      count += 1;
      if (count < 3) return json(res, 503, { detail: 'starting' });
      res.end('OK');
    });
    await waitForHealthy({ url, deadlineMs: 5_000, intervalMs: 10 });
    expect(count).toBe(3);
  });
});
