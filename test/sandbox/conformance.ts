import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSandboxEvalError } from '../../src/errors.js';
import type { Message } from '../../src/protocol/messages.js';
import type { Sandbox } from '../../src/sandbox/types.js';

/**
 * One conformance suite for every Sandbox implementation (STYLE rule 12), over the `guess` env.
 * `create` builds a fresh sandbox; `cleanup` frees whatever it started (servers, managers).
 * Gaps an implementation cannot meet are listed in `skip`, by test name, with a reason.
 */
export interface ConformanceTarget {
  name: string;
  create(): Promise<{ sandbox: Sandbox; cleanup(): Promise<void> }>;
  skip?: Record<string, string>;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isSandboxEvalError(error)) return error.code;
    throw error;
  }
  throw new Error('expected the call to fail');
}

const say = (content: string): Message => ({ role: 'assistant', content });

/** Plays the guess game by bisection on the env's hints; answers the last step result. */
async function playToTheEnd(sandbox: Sandbox, instanceId: string, high: number) {
  let lo = 1;
  let hi = high;
  for (let turn = 0; turn < 20; turn += 1) {
    const guess = Math.floor((lo + hi) / 2);
    const result = await sandbox.step({ instanceId, action: say(String(guess)) });
    if (result.is_terminated) return result;
    const hint = /is wrong; the number is (higher|lower)/.exec(result.state[0]!.content)?.[1];
    if (hint === 'higher') lo = guess + 1;
    else hi = guess - 1;
  }
  throw new Error('the game did not end within 20 guesses');
}

export function runSandboxConformance(target: ConformanceTarget): void {
  describe(`Sandbox conformance: ${target.name}`, () => {
    let sandbox: Sandbox;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ sandbox, cleanup } = await target.create());
    });
    afterEach(async () => {
      await cleanup();
    });

    const test = (name: string, fn: () => Promise<void>) => {
      const reason = target.skip?.[name];
      if (reason) it.skip(`${name} (gap: ${reason})`, fn);
      else it(name, fn);
    };

    test('lists task ids per split, "train" by default, under both names', async () => {
      const train = await sandbox.getEnvProfile({ envType: 'guess' });
      expect(train).toHaveLength(60);
      expect(train[0]).toBe('guess_0');
      expect(await sandbox.getTaskIds({ envType: 'guess', split: 'val' })).toEqual(Array.from({ length: 20 }, (_, k) => `guess_${60 + k}`));
    });

    test('names unknown envs, splits and tasks', async () => {
      expect(await codeOf(sandbox.getEnvProfile({ envType: 'no-such-env' }))).toBe('SE_UNKNOWN_DATASET');
      expect(await codeOf(sandbox.getEnvProfile({ envType: 'guess', split: 'nope' }))).toBe('SE_UNKNOWN_SPLIT');
      expect(await codeOf(sandbox.createInstance({ envType: 'guess', taskId: 'guess_1000' }))).toBe('SE_UNKNOWN_TASK');
    });

    test('creates an instance with a fresh id, system and user messages, and tools', async () => {
      const initial = await sandbox.createInstance({ envType: 'guess', taskId: 'guess_4' });
      expect(initial.info.instance_id).toMatch(/^exp_\d+_[0-9a-f]{8}$/);
      expect(initial.info.task_id).toBe('guess_4');
      expect(initial.state.map((m) => m.role)).toEqual(['system', 'user']);
      expect(initial.tools?.[0]?.function.name).toBe('guess');
    });

    test('honours a client-supplied id and refuses it twice while live', async () => {
      await sandbox.createInstance({ envType: 'guess', taskId: 'guess_1', instanceId: 'conformance-1' });
      expect(await codeOf(sandbox.createInstance({ envType: 'guess', taskId: 'guess_2', instanceId: 'conformance-1' }))).toBe('SE_DUPLICATE_INSTANCE');
      const result = await sandbox.step({ instanceId: 'conformance-1', action: say('1') });
      expect(result.state[0]!.role).toBe('user');
    });

    test('plays an episode to the end; evaluate scores it sparse and in detail', async () => {
      const initial = await sandbox.createInstance({ envType: 'guess', taskId: 'guess_1' });
      const high = Number(/to (\d+)\./.exec(initial.state[1]!.content)![1]);
      const last = await playToTheEnd(sandbox, initial.info.instance_id, high);
      expect(last.is_terminated).toBe(true);
      expect(last.reward).toBe(1);
      expect(last.state[0]!.content).toMatch(/^Correct!/);
      expect(await sandbox.evaluate({ instanceId: initial.info.instance_id, params: { sparse: true } })).toBe(1);
      expect(await sandbox.evaluate({ instanceId: initial.info.instance_id })).toMatchObject({ reward: 1, found: true });
    });

    test('accepts an OpenAI-style tool call as the action', async () => {
      const { info } = await sandbox.createInstance({ envType: 'guess', taskId: 'guess_0' });
      const result = await sandbox.step({
        instanceId: info.instance_id,
        action: { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'guess', arguments: '{"number": 5}' } }] },
      });
      expect(result.info).toMatchObject({ guesses: 1 });
    });

    test('answers get_info', async () => {
      const { info } = await sandbox.createInstance({ envType: 'guess', taskId: 'guess_0' });
      expect(await sandbox.getInfo({ instanceId: info.instance_id })).toContain('guess');
    });

    test('releases once: true, then false; the id is gone afterwards', async () => {
      const { info } = await sandbox.createInstance({ envType: 'guess', taskId: 'guess_0' });
      expect(await sandbox.releaseInstance({ instanceId: info.instance_id })).toBe(true);
      expect(await sandbox.releaseInstance({ instanceId: info.instance_id })).toBe(false);
      expect(await codeOf(sandbox.step({ instanceId: info.instance_id, action: say('1') }))).toBe('SE_INSTANCE_NOT_FOUND');
      expect(await codeOf(sandbox.evaluate({ instanceId: 'never-made' }))).toBe('SE_INSTANCE_NOT_FOUND');
    });

    test('close() is idempotent and later calls fail with SE_SANDBOX_CLOSED', async () => {
      await sandbox.createInstance({ envType: 'guess', taskId: 'guess_0' });
      await Promise.all([sandbox.close(), sandbox.close()]);
      await sandbox.close();
      expect(await codeOf(sandbox.getEnvProfile({ envType: 'guess' }))).toBe('SE_SANDBOX_CLOSED');
      expect(await codeOf(sandbox.createInstance({ envType: 'guess', taskId: 'guess_0' }))).toBe('SE_SANDBOX_CLOSED');
    });
  });
}
