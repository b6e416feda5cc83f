import { afterEach, describe, expect, it, vi } from 'vitest';
import { EnvironmentRegistry } from '../../src/envs/registry.js';
import { builtinEnvironments } from '../../src/envs/builtins.js';
import { EnvironmentError, isSandboxEvalError } from '../../src/errors.js';
import { InstanceManager, type InstanceManagerOptions } from '../../src/sandbox/instance-manager.js';
import { createProbe, type Probe } from './probe-env.js';

const say = (content: string) => ({ role: 'assistant' as const, content });

let manager: InstanceManager | undefined;
let probe: Probe;

function makeManager(options: Partial<InstanceManagerOptions> = {}): InstanceManager {
  probe = createProbe();
  manager = new InstanceManager({ registry: new EnvironmentRegistry([...builtinEnvironments, probe.definition]), ...options });
  return manager;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isSandboxEvalError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a rejection');
}

afterEach(async () => {
  vi.useRealTimers();
  probe?.open();
  await manager?.close().catch(() => undefined);
  manager = undefined;
});

describe('InstanceManager: ids, duplicates, caps', () => {
  it('makes fresh ids like AgentScope and honours client-supplied ones', async () => {
    const m = makeManager();
    const fresh = await m.create({ envType: 'guess', taskId: 'guess_1' });
    expect(fresh.info.instance_id).toMatch(/^exp_\d{10}_[0-9a-f]{8}$/);
    expect(fresh.info.task_id).toBe('guess_1');
    const mine = await m.create({ envType: 'guess', taskId: 'guess_2', instanceId: 'my-id' });
    expect(mine.info.instance_id).toBe('my-id');
    expect(m.metrics).toEqual({ live: 2, created: 2, released: 0, expired: 0 });
  });

  it('rejects a duplicate live id and leaks nothing, including when two creates race', async () => {
    const m = makeManager();
    await m.create({ envType: 'probe', taskId: 't1', instanceId: 'dup' });
    expect(await codeOf(m.create({ envType: 'probe', taskId: 't2', instanceId: 'dup' }))).toBe('SE_DUPLICATE_INSTANCE');
    const racing = await Promise.allSettled([
      m.create({ envType: 'probe', taskId: 't1', instanceId: 'race' }),
      m.create({ envType: 'probe', taskId: 't1', instanceId: 'race' }),
    ]);
    expect(racing.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(m.metrics.live).toBe(2);
    // the original instance is untouched
    expect((await m.step({ instanceId: 'dup', action: say('hi') })).state[0]!.content).toBe('echo hi');
    // once released, the id may be used again
    expect(await m.release({ instanceId: 'dup' })).toBe(true);
    await m.create({ envType: 'probe', taskId: 't1', instanceId: 'dup' });
  });

  it('a failed env create leaves nothing behind and keeps the env message without its stack', async () => {
    const m = makeManager();
    const error = await m.create({ envType: 'probe', taskId: 'fail-create', instanceId: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toContain('cannot build this task');
    expect((error as Error).message).not.toMatch(/\n\s+at /);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(m.metrics).toEqual({ live: 0, created: 0, released: 0, expired: 0 });
    await m.create({ envType: 'probe', taskId: 't1', instanceId: 'x' });
  });

  it('passes our own errors through: unknown env, split, task', async () => {
    const m = makeManager();
    expect(await codeOf(m.create({ envType: 'nope', taskId: 'a' }))).toBe('SE_UNKNOWN_DATASET');
    expect(await codeOf(m.taskIds({ envType: 'guess', split: 'nope' }))).toBe('SE_UNKNOWN_SPLIT');
    expect(await codeOf(m.create({ envType: 'guess', taskId: 'guess_999' }))).toBe('SE_UNKNOWN_TASK');
    expect(await m.taskIds({ envType: 'guess' })).toHaveLength(60);
  });

  it('caps live instances with CapacityError, counting creates in progress', async () => {
    const m = makeManager({ maxInstances: 2 });
    await m.create({ envType: 'probe', taskId: 't1' });
    const [second, third] = await Promise.allSettled([m.create({ envType: 'probe', taskId: 't1' }), m.create({ envType: 'probe', taskId: 't1' })]);
    expect(second.status).toBe('fulfilled');
    expect(third.status === 'rejected' && third.reason.code).toBe('SE_CAPACITY');
    const id = second.status === 'fulfilled' ? second.value.info.instance_id : '';
    await m.release({ instanceId: id });
    await m.create({ envType: 'probe', taskId: 't1' });
  });

  it('answers not-found for unknown ids and false when releasing one', async () => {
    const m = makeManager();
    expect(await codeOf(m.step({ instanceId: 'ghost', action: say('1') }))).toBe('SE_INSTANCE_NOT_FOUND');
    expect(await codeOf(m.evaluate({ instanceId: 'ghost' }))).toBe('SE_INSTANCE_NOT_FOUND');
    expect(await codeOf(m.getInfo({ instanceId: 'ghost' }))).toBe('SE_INSTANCE_NOT_FOUND');
    expect(await m.release({ instanceId: 'ghost' })).toBe(false);
    expect(m.metrics.live).toBe(0);
  });

  it('turns env exceptions into EnvironmentError with the cause kept', async () => {
    const m = makeManager();
    await m.create({ envType: 'probe', taskId: 't1', instanceId: 'a' });
    const error = await m.step({ instanceId: 'a', action: say('throw') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toBe('Environment "probe" failed in step: env exploded');
    expect(((error as Error).cause as Error).message).toBe('env exploded');
    // the instance survives its env's exception
    expect((await m.step({ instanceId: 'a', action: say('ok') })).state[0]!.content).toBe('echo ok');
  });

  it('checks its options', () => {
    expect(() => makeManager({ maxInstances: 0 })).toThrow(/Expected `maxInstances` to be an integer from 1 and up, got `0` \(number\)/);
    expect(() => makeManager({ idleTimeoutMs: -1 })).toThrow(/idleTimeoutMs/);
  });
});

describe('InstanceManager: serialisation', () => {
  it('runs calls on one instance one at a time, in order, and different instances concurrently', async () => {
    const m = makeManager();
    await m.create({ envType: 'probe', taskId: 't1', instanceId: 'a' });
    await m.create({ envType: 'probe', taskId: 't1', instanceId: 'b' });
    const calls = [
      m.step({ instanceId: 'a', action: say('wait') }),
      m.step({ instanceId: 'a', action: say('a2') }),
      m.evaluate({ instanceId: 'a' }),
      m.step({ instanceId: 'a', action: say('a3') }),
      m.step({ instanceId: 'b', action: say('wait') }),
    ];
    await probe.whenStarted(2);
    // both instances are inside a step at once; a's later calls wait their turn
    expect(probe.active.get('a')).toBe(1);
    expect(probe.active.get('b')).toBe(1);
    expect(probe.started).toEqual(['a:wait', 'b:wait']);
    probe.open();
    await Promise.all(calls);
    expect(probe.maxPerInstance).toBe(1);
    expect(probe.maxOverall).toBe(2);
    expect(probe.started.filter((s) => s.startsWith('a:'))).toEqual(['a:wait', 'a:a2', 'a:a3']);
  });

  it('release during an in-flight step waits for the step, then releases', async () => {
    const m = makeManager();
    await m.create({ envType: 'probe', taskId: 't1', instanceId: 'a' });
    const step = m.step({ instanceId: 'a', action: say('wait') });
    await probe.whenStarted(1);
    let released: boolean | undefined;
    const release = m.release({ instanceId: 'a' }).then((value) => (released = value));
    // new calls see the instance as gone right away
    expect(await codeOf(m.step({ instanceId: 'a', action: say('late') }))).toBe('SE_INSTANCE_NOT_FOUND');
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toBeUndefined();
    expect(probe.closed).toEqual([]);
    probe.open();
    expect((await step).state[0]!.content).toBe('echo wait');
    await release;
    expect(released).toBe(true);
    expect(probe.closed).toEqual(['a']);
    expect(m.metrics).toMatchObject({ live: 0, released: 1 });
  });

  it('a failing env close still removes the instance and reports EnvironmentError', async () => {
    const m = makeManager();
    await m.create({ envType: 'probe', taskId: 'fail-close', instanceId: 'a' });
    expect(await codeOf(m.release({ instanceId: 'a' }))).toBe('SE_ENV_ERROR');
    expect(m.metrics.live).toBe(0);
    expect(await m.release({ instanceId: 'a' })).toBe(false);
  });
});

describe('InstanceManager: idle expiry', () => {
  it('expires instances idle past the timeout; create, step, evaluate and get_info count as access', async () => {
    vi.useFakeTimers();
    const m = makeManager({ idleTimeoutMs: 1_000, sweepIntervalMs: 100 });
    for (const id of ['stepped', 'evaluated', 'informed', 'idle']) await m.create({ envType: 'probe', taskId: 't1', instanceId: id });
    await vi.advanceTimersByTimeAsync(600);
    await m.step({ instanceId: 'stepped', action: say('x') });
    await m.evaluate({ instanceId: 'evaluated' });
    await m.getInfo({ instanceId: 'informed' });
    // profile calls and unknown ids touch nothing
    await m.taskIds({ envType: 'probe' });
    await m.step({ instanceId: 'ghost', action: say('x') }).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(600);
    expect(m.metrics).toMatchObject({ live: 3, expired: 1 });
    expect(probe.closed).toEqual(['idle']);
    expect(await m.release({ instanceId: 'idle' })).toBe(false);
    await vi.advanceTimersByTimeAsync(600);
    expect(m.metrics).toEqual({ live: 0, created: 4, released: 0, expired: 4 });
  });

  it('never expires an instance with a call in flight', async () => {
    vi.useFakeTimers();
    const m = makeManager({ idleTimeoutMs: 1_000, sweepIntervalMs: 100 });
    await m.create({ envType: 'probe', taskId: 't1', instanceId: 'busy' });
    const step = m.step({ instanceId: 'busy', action: say('wait') });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(m.metrics.live).toBe(1);
    probe.open();
    await step;
    await vi.advanceTimersByTimeAsync(1_200);
    expect(m.metrics).toMatchObject({ live: 0, expired: 1 });
  });

  it('idleTimeoutMs 0 disables expiry', async () => {
    vi.useFakeTimers();
    const m = makeManager({ idleTimeoutMs: 0 });
    await m.create({ envType: 'probe', taskId: 't1' });
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(m.metrics.live).toBe(1);
  });
});

describe('InstanceManager: close', () => {
  it('releases everything after in-flight calls, is idempotent, and refuses later calls', async () => {
    const m = makeManager();
    await m.create({ envType: 'probe', taskId: 't1', instanceId: 'a' });
    await m.create({ envType: 'probe', taskId: 't1', instanceId: 'b' });
    const step = m.step({ instanceId: 'a', action: say('wait') });
    await probe.whenStarted(1);
    const closing = m.close();
    expect(m.close()).toBe(closing);
    probe.open();
    await step;
    await closing;
    expect(probe.closed.sort()).toEqual(['a', 'b']);
    expect(m.metrics).toMatchObject({ live: 0, released: 2 });
    expect(await codeOf(m.create({ envType: 'probe', taskId: 't1' }))).toBe('SE_SANDBOX_CLOSED');
    expect(await codeOf(m.step({ instanceId: 'a', action: say('x') }))).toBe('SE_SANDBOX_CLOSED');
  });
});
