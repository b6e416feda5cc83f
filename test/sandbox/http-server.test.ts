import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Client } from 'undici';
import { builtinEnvironments } from '../../src/envs/builtins.js';
import { EnvironmentRegistry } from '../../src/envs/registry.js';
import { ConfigError } from '../../src/errors.js';
import { createSandboxServer, isLoopbackHost, serve, type SandboxServer } from '../../src/sandbox/http-server.js';
import { HttpSandbox } from '../../src/sandbox/http-client.js';
import { InstanceManager } from '../../src/sandbox/instance-manager.js';
import { createProbe, type Probe } from './probe-env.js';

const STACK = /\n\s+at |\.[cm]?[tj]s:\d+|node:internal|Traceback/;

let probe: Probe;
let manager: InstanceManager;
let app: SandboxServer;
let base: string;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function call(path: string, init: { method?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  const response = await fetch(base + path, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...init.headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // /healthz answers plain text
    json = undefined;
  }
  // nothing this server answers may carry a stack trace
  expect(text).not.toMatch(STACK);
  return { status: response.status, headers: response.headers, text, json };
}

const envelope = (fields: Record<string, unknown>) => ({ env_type: 'default', task_id: null, instance_id: null, messages: {}, params: {}, ...fields });

async function start(options: { token?: string; bodyLimitBytes?: number; maxInstances?: number } = {}): Promise<void> {
  probe = createProbe();
  manager = new InstanceManager({
    registry: new EnvironmentRegistry([...builtinEnvironments, probe.definition]),
    ...(options.maxInstances ? { maxInstances: options.maxInstances } : {}),
  });
  app = createSandboxServer({ manager, ...options });
  ({ url: base } = await app.listen({ host: '127.0.0.1', port: 0 }));
}

beforeEach(() => start());
afterEach(async () => {
  probe.open();
  await app.close().catch(() => undefined);
  vi.restoreAllMocks();
});

describe('endpoints', () => {
  it('GET /healthz answers 200 "OK" as plain text', async () => {
    const answer = await call('/healthz');
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('OK');
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('POST /get_env_profile answers the split\'s task ids (default split "train")', async () => {
    const train = await call('/get_env_profile', { body: envelope({ env_type: 'guess' }) });
    expect(train.status).toBe(200);
    expect(train.json).toMatchObject({ success: true });
    expect((train.json as { data: string[] }).data).toHaveLength(60);
    const val = await call('/get_env_profile', { body: { env_type: 'guess', params: { split: 'val' } } });
    expect((val.json as { data: string[] }).data[0]).toBe('guess_60');
  });

  it('runs a whole episode: create, step, evaluate, get_info, release', async () => {
    const created = await call('/create', { body: envelope({ env_type: 'guess', task_id: 'guess_0' }) });
    expect(created.status).toBe(200);
    const data = (created.json as { data: { state: unknown[]; info: { instance_id: string; task_id: string } } }).data;
    expect(data.state).toHaveLength(2);
    expect(data.info.task_id).toBe('guess_0');
    const id = data.info.instance_id;
    expect(id).toMatch(/^exp_\d+_[0-9a-f]{8}$/);

    const step = await call('/step', { body: envelope({ instance_id: id, messages: { role: 'assistant', content: '5' } }) });
    expect(step.status).toBe(200);
    expect(step.json).toMatchObject({ success: true, data: { reward: expect.any(Number), is_terminated: expect.any(Boolean), info: expect.any(Object) } });

    const evaluated = await call('/evaluate', { body: envelope({ instance_id: id, params: { sparse: true } }) });
    expect(evaluated.json).toEqual({ success: true, data: expect.any(Number) });
    const info = await call('/get_info', { body: envelope({ instance_id: id }) });
    expect((info.json as { data: string }).data).toContain('guess');

    expect((await call('/release', { body: envelope({ instance_id: id }) })).json).toEqual({ success: true, data: null });
    // unknown id: 200 with success false, as AgentScope answers
    const again = await call('/release', { body: envelope({ instance_id: id }) });
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ success: false, data: null });
  });

  it('honours a client-supplied instance id and rejects a duplicate live one with 409', async () => {
    expect((await call('/create', { body: envelope({ env_type: 'guess', task_id: 'guess_1', instance_id: 'mine' }) })).status).toBe(200);
    const dup = await call('/create', { body: envelope({ env_type: 'guess', task_id: 'guess_1', instance_id: 'mine' }) });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ code: 'SE_DUPLICATE_INSTANCE', detail: expect.stringContaining('mine') });
  });

  it('GET /metrics answers the counters', async () => {
    await call('/create', { body: envelope({ env_type: 'guess', task_id: 'guess_1' }) });
    const metrics = await call('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.json).toEqual({ live: 1, created: 1, released: 0, expired: 0 });
  });

  it('keeps connections alive: 20 sequential calls from one client reuse their connections', async () => {
    let connections = 0;
    app.server.on('connection', () => (connections += 1));
    const sandbox = new HttpSandbox({ url: base });
    try {
      for (let k = 0; k < 20; k += 1) await sandbox.getEnvProfile({ envType: 'guess' });
    } finally {
      await sandbox.close();
    }
    // undici may open a second socket while the first is finishing a response; 20 calls never need 20
    expect(connections).toBeLessThanOrEqual(2);
  });

  it('a release during an in-flight step waits for the step, then answers success', async () => {
    await call('/create', { body: envelope({ env_type: 'probe', task_id: 't1', instance_id: 'a' }) });
    const step = call('/step', { body: envelope({ instance_id: 'a', messages: { role: 'assistant', content: 'wait' } }) });
    await probe.whenStarted(1);
    const release = call('/release', { body: envelope({ instance_id: 'a' }) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(probe.closed).toEqual([]);
    probe.open();
    expect((await step).status).toBe(200);
    expect((await release).json).toEqual({ success: true, data: null });
    expect(probe.closed).toEqual(['a']);
  });

  it('ignores unknown keys and accepts env_type "default" and null ids on non-create calls', async () => {
    await call('/create', { body: envelope({ env_type: 'guess', task_id: 'guess_1', instance_id: 'a', extra: 1 }) });
    const step = await call('/step', { body: { env_type: null, instance_id: 'a', messages: { role: 'assistant', content: '3', extra: true }, whatever: [] } });
    expect(step.status).toBe(200);
  });
});

describe('error answers: {detail, code}, never a stack', () => {
  it('malformed JSON -> 422', async () => {
    const answer = await call('/create', { raw: '{"env_type": "guess",' });
    expect(answer.status).toBe(422);
    expect(answer.json).toMatchObject({ code: 'SE_REQUEST_VALIDATION', detail: expect.stringContaining('not valid JSON') });
  });

  it('a body that is not an object, or empty -> 422', async () => {
    expect((await call('/create', { raw: '[1,2]' })).json).toMatchObject({ code: 'SE_REQUEST_VALIDATION', detail: expect.stringContaining('got an array') });
    expect((await call('/create', { raw: '' })).status).toBe(422);
  });

  it('wrong types -> 422 naming the field, what was expected and what was got', async () => {
    const nullMessages = await call('/step', { body: envelope({ instance_id: 'a', messages: null }) });
    expect(nullMessages.status).toBe(422);
    expect((nullMessages.json as { detail: string }).detail).toContain('Expected `messages` to be an object, got `null` (null)');
    const arrayParams = await call('/evaluate', { body: envelope({ instance_id: 'a', params: [] }) });
    expect((arrayParams.json as { detail: string }).detail).toContain('`params`');
    const numberId = await call('/step', { body: envelope({ instance_id: 7 }) });
    expect((numberId.json as { detail: string }).detail).toContain('Expected `instance_id` to be a string, got `7` (number)');
    const badRole = await call('/step', { body: envelope({ instance_id: 'a', messages: { role: 'robot', content: 'x' } }) });
    expect((badRole.json as { detail: string }).detail).toContain('`messages.role`');
    const badSplit = await call('/get_env_profile', { body: envelope({ env_type: 'guess', params: { split: 3 } }) });
    expect((badSplit.json as { detail: string }).detail).toContain('`params.split`');
  });

  it('missing required values -> 400', async () => {
    const noTask = await call('/create', { body: envelope({ env_type: 'guess' }) });
    expect(noTask.status).toBe(400);
    expect(noTask.json).toMatchObject({ code: 'SE_INVALID_REQUEST', detail: expect.stringContaining('task_id is required') });
    expect((await call('/step', { body: envelope({ messages: { role: 'assistant', content: '1' } }) })).json).toMatchObject({
      detail: expect.stringContaining('instance_id is required'),
    });
  });

  it('unknown env, split, task and instance -> 4xx with our codes', async () => {
    const env = await call('/create', { body: envelope({ env_type: 'nope', task_id: 'x' }) });
    expect([env.status, (env.json as { code: string }).code]).toEqual([400, 'SE_UNKNOWN_DATASET']);
    const split = await call('/get_env_profile', { body: envelope({ env_type: 'guess', params: { split: 'nope' } }) });
    expect([split.status, (split.json as { code: string }).code]).toEqual([400, 'SE_UNKNOWN_SPLIT']);
    const task = await call('/create', { body: envelope({ env_type: 'guess', task_id: 'guess_x' }) });
    expect([task.status, (task.json as { code: string }).code]).toEqual([400, 'SE_UNKNOWN_TASK']);
    for (const path of ['/step', '/evaluate', '/get_info']) {
      const instance = await call(path, { body: envelope({ instance_id: 'ghost', messages: { role: 'assistant', content: '1' } }) });
      expect([instance.status, (instance.json as { code: string }).code]).toEqual([404, 'SE_INSTANCE_NOT_FOUND']);
      expect((instance.json as { detail: string }).detail).toContain('Instance ghost not found!');
    }
  });

  it('the instance cap -> 429', async () => {
    await app.close();
    await start({ maxInstances: 1 });
    await call('/create', { body: envelope({ env_type: 'guess', task_id: 'guess_1' }) });
    const full = await call('/create', { body: envelope({ env_type: 'guess', task_id: 'guess_1' }) });
    expect([full.status, (full.json as { code: string }).code]).toEqual([429, 'SE_CAPACITY']);
  });

  it('an env exception -> 500 with the env message and no stack', async () => {
    await call('/create', { body: envelope({ env_type: 'probe', task_id: 't1', instance_id: 'p' }) });
    const answer = await call('/step', { body: envelope({ instance_id: 'p', messages: { role: 'assistant', content: 'throw' } }) });
    expect(answer.status).toBe(500);
    expect(answer.json).toEqual({ code: 'SE_ENV_ERROR', detail: 'Environment "probe" failed in step: env exploded' });
  });

  it('an unexpected failure -> 500 "Internal error", the stack goes to a process warning only', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    await call('/create', { body: envelope({ env_type: 'probe', task_id: 't1', instance_id: 'p' }) });
    const answer = await call('/get_info', { body: envelope({ instance_id: 'p', params: { bigint: true } }) });
    expect(answer.status).toBe(500);
    expect(answer.json).toMatchObject({ code: 'SE_INTERNAL', detail: expect.stringMatching(/^Internal error while handling \/get_info/) });
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/BigInt[\s\S]*\n\s+at /);
    // and the server keeps serving
    expect((await call('/healthz')).status).toBe(200);
  });

  it('an oversize body -> 413, with and without Content-Length', async () => {
    await app.close();
    await start({ bodyLimitBytes: 1024 });
    const big = JSON.stringify(envelope({ env_type: 'guess', params: { pad: 'x'.repeat(2048) } }));
    const declared = await call('/get_env_profile', { raw: big });
    expect([declared.status, (declared.json as { code: string }).code]).toEqual([413, 'SE_PAYLOAD_TOO_LARGE']);

    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${base}/get_env_profile`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      for (let k = 0; k < 4; k += 1) req.write(big.slice(k * 600, (k + 1) * 600));
      req.end(big.slice(2400));
    });
    expect(chunked.status).toBe(413);
    expect(chunked.body).not.toMatch(STACK);
    expect((await call('/healthz')).status).toBe(200);
  });

  it('unknown path -> 404, wrong method -> 405 with Allow', async () => {
    const missing = await call('/nope', { body: {} });
    expect([missing.status, (missing.json as { code: string }).code]).toEqual([404, 'SE_ROUTE_NOT_FOUND']);
    expect((missing.json as { detail: string }).detail).toContain('/create');
    const wrong = await call('/step', { method: 'GET' });
    expect([wrong.status, (wrong.json as { code: string }).code, wrong.headers.get('allow')]).toEqual([405, 'SE_METHOD_NOT_ALLOWED', 'POST']);
    expect((await call('/healthz', { method: 'POST', raw: '{}' })).status).toBe(405);
  });
});

describe('bearer token', () => {
  beforeEach(async () => {
    await app.close();
    await start({ token: 's3cret' });
  });

  it('401 with WWW-Authenticate when missing or wrong; 200 when right; /healthz stays open', async () => {
    const body = envelope({ env_type: 'guess' });
    const missing = await call('/get_env_profile', { body });
    expect([missing.status, missing.headers.get('www-authenticate'), (missing.json as { code: string }).code]).toEqual([401, 'Bearer', 'SE_UNAUTHORIZED']);
    const wrong = await call('/get_env_profile', { body, headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect((wrong.json as { detail: string }).detail).toContain('does not match');
    const longer = await call('/get_env_profile', { body, headers: { authorization: 'Bearer s3cret-and-more' } });
    expect(longer.status).toBe(401);
    const right = await call('/get_env_profile', { body, headers: { authorization: 'Bearer s3cret' } });
    expect(right.status).toBe(200);
    expect(right.headers.get('www-authenticate')).toBeNull();
    expect((await call('/metrics')).status).toBe(401);
    expect((await call('/healthz')).status).toBe(200);
  });

  it('an unknown path without a token is 401, so routes are not revealed', async () => {
    expect((await call('/nope', { body: {} })).status).toBe(401);
  });
});

describe('hosts', () => {
  it('knows loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.com']) expect(isLoopbackHost(host)).toBe(false);
  });

  it('refuses a non-loopback host without a token, at create, listen and serve', async () => {
    expect(() => createSandboxServer({ manager, host: '0.0.0.0' })).toThrow(ConfigError);
    await expect(app.listen({ host: '0.0.0.0', port: 0 })).rejects.toThrow(/without a token/);
    await expect(serve({ host: '::', port: 0, registry: new EnvironmentRegistry(builtinEnvironments) })).rejects.toMatchObject({ code: 'SE_CONFIG_INVALID' });
  });
});

describe('graceful close', () => {
  it('stops accepting, lets the in-flight step finish, then releases every instance', async () => {
    await call('/create', { body: envelope({ env_type: 'probe', task_id: 't1', instance_id: 'a' }) });
    await call('/create', { body: envelope({ env_type: 'probe', task_id: 't1', instance_id: 'b' }) });
    const inFlight = call('/step', { body: envelope({ instance_id: 'a', messages: { role: 'assistant', content: 'wait' } }) });
    await probe.whenStarted(1);
    const closing = app.close();
    expect(app.close()).toBe(closing);
    await new Promise((resolve) => setImmediate(resolve));
    // a new connection is refused while the step drains
    const client = new Client(base);
    await expect(client.request({ path: '/healthz', method: 'GET' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await client.close();
    expect(probe.closed).toEqual([]);
    probe.open();
    const step = await inFlight;
    expect(step.status).toBe(200);
    expect(step.headers.get('connection')).toBe('close');
    await closing;
    expect(probe.closed.sort()).toEqual(['a', 'b']);
    expect(manager.metrics.live).toBe(0);
  });

  it('serve() builds manager and server, and its close() releases instances', async () => {
    const handle = await serve({ port: 0, registry: new EnvironmentRegistry(builtinEnvironments) });
    try {
      expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${handle.url}/create`, { method: 'POST', body: JSON.stringify(envelope({ env_type: 'guess', task_id: 'guess_3' })) });
      expect(response.status).toBe(200);
      expect(handle.manager.metrics.live).toBe(1);
    } finally {
      await handle.close();
    }
    expect(handle.manager.metrics.live).toBe(0);
    expect(handle.server.server.listening).toBe(false);
  });
});
