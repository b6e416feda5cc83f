import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codeOf, fencedPython, withFlatToolCalls } from '../../../src/envs/appworld/actions.js';
import { appworldEnvironment } from '../../../src/envs/appworld/index.js';
import { appworldBuiltin } from '../../../src/envs/builtins.js';
import { builtinEnvironments } from '../../../src/envs/builtins.js';
import { EnvironmentRegistry } from '../../../src/envs/registry.js';
import type { Message } from '../../../src/protocol/messages.js';
import { EmbeddedProvider } from '../../../src/providers/embedded.js';
import { HttpSandbox } from '../../../src/sandbox/http-client.js';
import { serve, type ServeHandle } from '../../../src/sandbox/http-server.js';

/*
 * AppWorld itself cannot run on these machines: its Python packages and encrypted data come from PyPI
 * and S3, which are out of reach (specs/appworld.md §4). So the adapter is tested against a protocol
 * double of `appworld serve environment`, written from the spec (§2.1): one world at a time, answers
 * wrapped in {"output": ...}, 400 {"detail": ...} for a task that is not the active one. Its "Python"
 * understands just what these tests send.
 */

const TASKS: Record<string, { instruction: string; answer: string }> = {
  '82e2fac_1': { instruction: 'How many songs are in my "Road trip" playlist?', answer: '12' },
  '82e2fac_2': { instruction: 'How many albums did I like?', answer: '3' },
  b0a8eae_1: { instruction: 'Pay Ann back for lunch.', answer: 'None' },
};

interface Double {
  url: string;
  calls: string[];
  server: Server;
}

const doubles: Double[] = [];
afterEach(async () => {
  for (const double of doubles.splice(0)) {
    double.server.closeAllConnections();
    await new Promise((resolve) => double.server.close(resolve));
  }
});

async function appworldDouble(): Promise<Double> {
  let active: { taskId: string; answer?: string; executed: number } | undefined;
  const calls: string[] = [];
  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw || '{}') as { task_id?: string; code?: string; experiment_name?: string };
    calls.push(`${req.url} ${body.task_id ?? ''}`);
    if (req.url === '/initialize') {
      const task = TASKS[body.task_id ?? ''];
      if (!task) return reply(res, 500, { detail: `Traceback ...\nKeyError: '${body.task_id}'` });
      // the server holds one world: initialize replaces whatever was there
      active = { taskId: body.task_id!, executed: 0 };
      return reply(res, 200, {
        output: { task_id: body.task_id, instruction: task.instruction, supervisor: { first_name: 'Ann', last_name: 'Lee', email: 'ann@example.com', phone_number: '555' }, datetime: '2023-05-18T12:00:00' },
      });
    }
    if (!active) return reply(res, 400, { detail: 'AppWorld has not been initialized.' });
    if (body.task_id !== active.taskId) return reply(res, 400, { detail: `The active task world is ${active.taskId}. But you have requested to operate on ${body.task_id}` });
    switch (req.url) {
      case '/execute': {
        active.executed += 1;
        const code = body.code ?? '';
        const completed = /apis\.supervisor\.complete_task\(answer=(.*)\)/.exec(code);
        if (completed) active.answer = completed[1];
        const printed = /print\((.*)\)/.exec(code);
        return reply(res, 200, { output: printed ? `printed ${printed[1]}` : code.includes('boom') ? 'Execution failed. Traceback:\n  File "<python-input>", line 1\nException: boom' : 'Execution successful.' });
      }
      case '/task_completed':
        return reply(res, 200, { output: active.answer !== undefined });
      case '/evaluate': {
        const right = active.answer === TASKS[active.taskId]!.answer;
        return reply(res, 200, {
          output: {
            success: right,
            difficulty: 1,
            num_tests: 2,
            passes: [{ requirement: 'assert no collateral changes', label: 'no_op_pass' }, ...(right ? [{ requirement: 'assert answer matches', label: 'no_op_fail' }] : [])],
            failures: right ? [] : [{ requirement: 'assert answer matches', trace: 'AssertionError', label: 'no_op_fail' }],
          },
        });
      }
      case '/close':
        active = undefined;
        return reply(res, 200, { output: null });
      default:
        return reply(res, 404, { detail: 'Not Found' });
    }
  };
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const double = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, server };
  doubles.push(double);
  return double;
}

const say = (content: string): Message => ({ role: 'assistant', content });
const SPLITS = { dev: ['82e2fac_1', '82e2fac_2'], test_normal: ['b0a8eae_1'] };

describe('AppWorld actions', () => {
  it('reads code from a fenced block or from `appworld` tool calls, and says what is wrong otherwise', () => {
    expect(fencedPython('Let me look.\n```python\nprint(1)\n```\nand more ```python\nprint(2)\n```')).toBe('print(1)\n');
    expect(fencedPython('```python\nprint(1)')).toBe('print(1)');
    expect(fencedPython('no code')).toBeUndefined();
    const call = (name: string, args: string) => ({ id: `c_${name}`, type: 'function' as const, function: { name, arguments: args } });
    expect(codeOf({ role: 'assistant', content: '```python\nx = 1\n```', tool_calls: [call('appworld', '{"code":"y = 2"}')] })).toEqual({ code: 'y = 2' });
    expect(codeOf({ role: 'assistant', content: '', tool_calls: [call('search', '{}')] }).problem).toMatch(/Tool not found: search/);
    expect(codeOf({ role: 'assistant', content: '', tool_calls: [call('appworld', '{code')] }).problem).toMatch(/not JSON/);
    expect(codeOf(say('just talk'))).toEqual({});
  });

  it('flattens tool calls for AgentScope\'s AppWorld image, which ignores OpenAI\'s nesting', () => {
    const action: Message = { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'appworld', arguments: '{"code":"print(1)"}' } }] };
    expect(withFlatToolCalls(action)).toEqual({ role: 'assistant', content: '', tool_calls: [{ index: 0, id: 'call_1', type: 'function', name: 'appworld', arguments: '{"code":"print(1)"}' }] });
    expect(withFlatToolCalls(say('```python\nprint(1)\n```'))).toEqual(say('```python\nprint(1)\n```'));
  });
});

describe('AppWorld through its environment server (a protocol double)', () => {
  it('runs an episode: initialize, execute until complete_task, evaluate, close', async () => {
    const double = await appworldDouble();
    const env = await appworldEnvironment({ urls: [double.url], splits: SPLITS }).load({});
    expect(env.splits()).toEqual(['dev', 'test_normal']);
    expect(env.taskIds('dev')).toEqual(SPLITS.dev);
    const instance = await env.createInstance({ taskId: '82e2fac_1', instanceId: 'i-1', params: {} });
    expect(instance.initial.state.map((m) => m.role)).toEqual(['system', 'user']);
    expect(instance.initial.state[0]!.content).toContain('Ann Lee');
    expect(instance.initial.state[1]!.content).toBe(TASKS['82e2fac_1']!.instruction);
    expect(instance.initial.info).toMatchObject({ instance_id: 'i-1', task_id: '82e2fac_1', datetime: '2023-05-18T12:00:00' });
    expect(instance.initial.tools?.[0]?.function.name).toBe('appworld');

    const looked = await instance.step(say('```python\nprint(apis.spotify.show_playlist_library())\n```'), {});
    expect(looked).toEqual({ state: [{ role: 'user', content: 'Output:\n```\nprinted apis.spotify.show_playlist_library()\n```' }], reward: 0, is_terminated: false, info: {} });
    const nothing = await instance.step(say('I will think first.'), {});
    expect(nothing.state[0]!.content).toMatch(/^No code to run/);
    const failed = await instance.step(say('```python\nboom()\n```'), {});
    expect(failed.state[0]!.content).toContain('Exception: boom');

    const done = await instance.step({ role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'appworld', arguments: JSON.stringify({ code: 'apis.supervisor.complete_task(answer=12)' }) } }] }, {});
    expect(done).toMatchObject({ reward: 1, is_terminated: true });
    expect(await instance.evaluate({}, {})).toEqual({ reward: 1, success: true, num_tests: 2, passed: 2, failures: [] });
    expect(await instance.evaluate({}, { sparse: true })).toBe(1);
    expect((await instance.step(say('```python\nprint(1)\n```'), {})).state[0]!.content).toBe('The task is already completed.');
    await instance.close?.();
    expect(double.calls).toEqual([
      '/initialize 82e2fac_1',
      '/execute 82e2fac_1',
      '/task_completed 82e2fac_1',
      '/execute 82e2fac_1',
      '/task_completed 82e2fac_1',
      '/execute 82e2fac_1',
      '/task_completed 82e2fac_1',
      '/evaluate 82e2fac_1',
      '/evaluate 82e2fac_1',
      '/evaluate 82e2fac_1',
      '/close 82e2fac_1',
    ]);
  });

  it('scores a wrong answer by the share of tests passed', async () => {
    const double = await appworldDouble();
    const env = await appworldEnvironment({ urls: [double.url], splits: SPLITS }).load({});
    const instance = await env.createInstance({ taskId: '82e2fac_2', instanceId: 'i-2', params: {} });
    const done = await instance.step(say('```python\napis.supervisor.complete_task(answer=7)\n```'), {});
    expect(done).toMatchObject({ reward: 0.5, is_terminated: true });
    expect(await instance.evaluate({}, {})).toMatchObject({ reward: 0.5, success: false, failures: ['assert answer matches'] });
    expect(await instance.evaluate({}, { sparse: true })).toBe(0);
    await instance.close?.();
  });

  it('gives each instance a server of its own: a third waits until one of two servers is free', async () => {
    const [a, b] = [await appworldDouble(), await appworldDouble()];
    const env = await appworldEnvironment({ urls: [a.url, b.url], splits: SPLITS }).load({});
    const first = await env.createInstance({ taskId: '82e2fac_1', instanceId: 'i-1', params: {} });
    const second = await env.createInstance({ taskId: '82e2fac_2', instanceId: 'i-2', params: {} });
    let thirdReady = false;
    const third = Promise.resolve(env.createInstance({ taskId: 'b0a8eae_1', instanceId: 'i-3', params: {} })).then((instance) => {
      thirdReady = true;
      return instance;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(thirdReady).toBe(false);
    // the double would answer 400 if two worlds shared a server; each step works on its own task
    expect((await first.step(say('```python\nprint(1)\n```'), {})).is_terminated).toBe(false);
    expect((await second.step(say('```python\nprint(2)\n```'), {})).is_terminated).toBe(false);
    await first.close?.();
    const instance = await third;
    expect((await instance.step(say('```python\napis.supervisor.complete_task(answer=None)\n```'), {})).reward).toBe(1);
    expect(a.calls.filter((call) => call.startsWith('/initialize'))).toEqual(['/initialize 82e2fac_1', '/initialize b0a8eae_1']);
    await Promise.all([second.close?.(), instance.close?.()]);
  });

  it('reads split task lists from AppWorld\'s data directory, and rejects unknown splits and tasks', async () => {
    const root = mkdtempSync(join(tmpdir(), 'appworld-root-'));
    try {
      mkdirSync(join(root, 'data/datasets'), { recursive: true });
      writeFileSync(join(root, 'data/datasets/dev.txt'), '82e2fac_1\n82e2fac_2\n');
      writeFileSync(join(root, 'data/datasets/train.txt'), 'b0a8eae_1\n');
      const double = await appworldDouble();
      const env = await appworldEnvironment({ urls: [double.url] }).load({ dataDir: root });
      expect(env.splits()).toEqual(['dev', 'train']);
      expect(env.taskIds('dev')).toEqual(['82e2fac_1', '82e2fac_2']);
      expect(() => env.taskIds('test_challenge')).toThrow(/has no split "test_challenge"\. Known splits: dev, train/);
      await expect(env.createInstance({ taskId: 'nope_1', instanceId: 'x', params: {} })).rejects.toMatchObject({ code: 'SE_UNKNOWN_TASK' });
      expect(() => appworldEnvironment({ urls: [double.url] }).load({})).toThrow(/--data.appworld=<APPWORLD_ROOT>/);
      expect(() => appworldEnvironment({ urls: [double.url] }).load({ dataDir: tmpdir() })).toThrow(/No AppWorld task lists in/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('turns server errors into environment errors and a dead server into an infrastructure error', async () => {
    const double = await appworldDouble();
    const env = await appworldEnvironment({ urls: [double.url], splits: { dev: ['82e2fac_1', 'gone_1'] } }).load({});
    await expect(env.createInstance({ taskId: 'gone_1', instanceId: 'x', params: {} })).rejects.toMatchObject({ code: 'SE_ENV_ERROR', message: expect.stringContaining('HTTP 500 on /initialize') });
    // the failed create gave its server back
    const instance = await env.createInstance({ taskId: '82e2fac_1', instanceId: 'y', params: {} });
    double.server.closeAllConnections();
    await new Promise((resolve) => double.server.close(resolve));
    await expect(instance.step(say('```python\nprint(1)\n```'), {})).rejects.toMatchObject({ code: 'SE_SANDBOX_UNAVAILABLE', message: expect.stringContaining('appworld serve environment') });
  });

  it('is served over the wire protocol like any environment', async () => {
    const double = await appworldDouble();
    const registry = new EnvironmentRegistry([appworldEnvironment({ urls: [double.url], splits: SPLITS })]);
    const handle: ServeHandle = await serve({ port: 0, registry });
    const sandbox = new HttpSandbox({ url: handle.url });
    try {
      expect(await sandbox.getEnvProfile({ envType: 'appworld', split: 'dev' })).toEqual(SPLITS.dev);
      const { info } = await sandbox.createInstance({ envType: 'appworld', taskId: '82e2fac_1' });
      const step = await sandbox.step({ instanceId: info.instance_id, action: say('```python\napis.supervisor.complete_task(answer=12)\n```') });
      expect(step).toMatchObject({ reward: 1, is_terminated: true });
      expect(await sandbox.evaluate({ instanceId: info.instance_id, params: { sparse: true } })).toBe(1);
      expect(await sandbox.releaseInstance({ instanceId: info.instance_id })).toBe(true);
      expect(double.calls.at(-1)).toBe('/close 82e2fac_1');
    } finally {
      await sandbox.close();
      await handle.close();
    }
  });
});

describe('the built-in `appworld`', () => {
  it('fails fast in the embedded provider, saying how to get a server or an image', async () => {
    const saved = process.env.APPWORLD_ENVIRONMENT_URL;
    delete process.env.APPWORLD_ENVIRONMENT_URL;
    try {
      await expect(appworldBuiltin.load({})).rejects.toThrow(/--provider docker.*agentscope\/runtime-sandbox-appworld.*appworld serve environment.*APPWORLD_ENVIRONMENT_URL/);
      const provider = new EmbeddedProvider({ registry: new EnvironmentRegistry(builtinEnvironments) });
      await expect(provider.init({ runId: 'r', datasets: ['appworld'] })).rejects.toMatchObject({ code: 'SE_APPWORLD_UNAVAILABLE', exitCode: 3 });
      await provider.close({ keep: false });
    } finally {
      if (saved !== undefined) process.env.APPWORLD_ENVIRONMENT_URL = saved;
    }
  });

  it('uses the servers APPWORLD_ENVIRONMENT_URL names', async () => {
    const double = await appworldDouble();
    const root = mkdtempSync(join(tmpdir(), 'appworld-root-'));
    const saved = process.env.APPWORLD_ENVIRONMENT_URL;
    process.env.APPWORLD_ENVIRONMENT_URL = ` ${double.url} ,`;
    try {
      mkdirSync(join(root, 'data/datasets'), { recursive: true });
      writeFileSync(join(root, 'data/datasets/dev.txt'), '82e2fac_1\n');
      const env = await appworldBuiltin.load({ dataDir: root });
      const instance = await env.createInstance({ taskId: '82e2fac_1', instanceId: 'z', params: {} });
      expect(instance.initial.info.task_id).toBe('82e2fac_1');
      await instance.close?.();
    } finally {
      if (saved === undefined) delete process.env.APPWORLD_ENVIRONMENT_URL;
      else process.env.APPWORLD_ENVIRONMENT_URL = saved;
      rmSync(root, { recursive: true, force: true });
    }
  });
});
