import { describe, expect, it } from 'vitest';
import type { Agent, AgentContext } from '../../src/agents/types.js';
import { EnvironmentRegistry } from '../../src/envs/registry.js';
import type { EnvironmentDefinition } from '../../src/envs/types.js';
import { TimeoutError } from '../../src/errors.js';
import type { StepResult } from '../../src/protocol/messages.js';
import { EpisodeInterrupted, runEpisode, type Episode } from '../../src/runner/episode.js';
import { InProcessSandbox } from '../../src/sandbox/in-process.js';
import { InstanceManager } from '../../src/sandbox/instance-manager.js';

/**
 * How an episode stops: its time limit and the run's interruption reach the agent's signal and fail
 * the phase in progress (agent or sandbox), whether or not the agent ever read its signal, and the
 * instance is released either way. Real in-process sandbox, real timers.
 */

type Step = () => StepResult | Promise<StepResult>;

function setup(step: Step = () => ({ state: [{ role: 'user', content: 'done' }], reward: 1, is_terminated: true, info: {} })) {
  const definition: EnvironmentDefinition = {
    name: 'probe',
    description: 'one step; its step is the test’s',
    load: () => ({
      name: 'probe',
      splits: () => ['all'],
      taskIds: () => ['t0', 't1', 't2'],
      createInstance: ({ taskId, instanceId }) => ({
        initial: { state: [{ role: 'user', content: 'go' }], info: { instance_id: instanceId, task_id: taskId } },
        step,
        evaluate: () => 1,
      }),
    }),
  };
  const manager = new InstanceManager({ registry: new EnvironmentRegistry([definition]), idleTimeoutMs: 0 });
  return { manager, sandbox: new InProcessSandbox({ manager }) };
}

function episode(agent: Agent, overrides: Partial<Episode> = {}): Episode {
  return { suite: 's', dataset: 'probe', split: 'all', taskId: 't0', trial: 0, agent, maxSteps: 3, pass: 1, timeoutMs: 30_000, params: {}, instanceId: 'i0', ...overrides };
}

/** An agent that keeps its signal and answers only once it aborts (with the abort's reason). */
function waitingAgent(seen: AbortSignal[]): Agent {
  return ({ signal }: AgentContext) => {
    seen.push(signal);
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
  };
}

describe('runEpisode', () => {
  it('a time limit aborts the signal the agent holds and errors the task as a timeout', async () => {
    const { manager, sandbox } = setup();
    const seen: AbortSignal[] = [];
    const result = await runEpisode(episode(waitingAgent(seen), { timeoutMs: 30 }), sandbox, new AbortController().signal);
    expect(result).toMatchObject({ status: 'errored', reward: 0, steps: 0, error: { kind: 'timeout', code: 'SE_TIMEOUT', message: 'Episode exceeded its time limit of 30 ms.' } });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.aborted).toBe(true);
    expect(seen[0]?.reason).toBeInstanceOf(TimeoutError);
    expect(manager.metrics).toMatchObject({ live: 0, created: 1, released: 1 });
  });

  it('a time limit fails a sandbox call that is too slow, though the agent never read its signal', async () => {
    // the step answers long after the limit (it must answer at all: the release waits for it)
    const slowStep: Step = () => new Promise((resolve) => setTimeout(() => resolve({ state: [], reward: 1, is_terminated: true, info: {} }), 300));
    const { manager, sandbox } = setup(slowStep);
    const result = await runEpisode(episode(() => 'ok', { timeoutMs: 30 }), sandbox, new AbortController().signal);
    expect(result).toMatchObject({ status: 'errored', steps: 0, error: { kind: 'timeout' } });
    // the result was settled at the limit, not when the step answered
    expect(result.durationMs).toBeLessThan(250);
    expect(result.trajectory.map((m) => m.content)).toEqual(['go', 'ok']);
    expect(manager.metrics.live).toBe(0);
  });

  it('a step that never answers times out, and its release gives up so the run can go on', async () => {
    const { manager, sandbox } = setup(() => new Promise<StepResult>(() => {}));
    const started = performance.now();
    const result = await runEpisode(episode(() => 'ok', { timeoutMs: 50 }), sandbox, new AbortController().signal);
    expect(result).toMatchObject({ status: 'errored', error: { kind: 'timeout' } });
    // the limit, then at most as long again for the release: not forever (unbounded, this hung)
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(manager.metrics.live).toBe(0);
  });

  it('interrupting the run stops every episode in flight under it, and only those', async () => {
    const { manager, sandbox } = setup();
    const run = new AbortController();
    const seen: AbortSignal[] = [];
    const running = ['t0', 't1'].map((taskId, k) => runEpisode(episode(waitingAgent(seen), { taskId, instanceId: `i${k}` }), sandbox, run.signal));
    // an episode of another run, and one that already finished under this run, are not touched
    const other = new AbortController();
    const elsewhere = runEpisode(episode(waitingAgent(seen), { taskId: 't2', instanceId: 'other' }), sandbox, other.signal);
    const finished = await runEpisode(episode(() => 'ok', { instanceId: 'done' }), sandbox, run.signal);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen).toHaveLength(3);

    run.abort();
    for (const episodeRun of running) await expect(episodeRun).rejects.toBeInstanceOf(EpisodeInterrupted);
    expect(seen.map((signal) => signal.aborted)).toEqual([true, true, false]);
    expect(seen[0]?.reason).toBeInstanceOf(EpisodeInterrupted);
    expect(finished.status).toBe('passed');

    other.abort();
    await expect(elsewhere).rejects.toBeInstanceOf(EpisodeInterrupted);
    expect(manager.metrics).toMatchObject({ live: 0, created: 4, released: 4 });
  });

  it('tags failures with whose fault they were: an agent that throws, a step that answers nonsense', async () => {
    const throwing = setup();
    const agentFailure = await runEpisode(
      episode(() => {
        throw new Error('model said no');
      }),
      throwing.sandbox,
      new AbortController().signal,
    );
    expect(agentFailure.error).toEqual({ kind: 'agent', message: 'model said no' });

    const broken = setup(() => ({ state: 'not a list' }) as unknown as StepResult);
    const envFailure = await runEpisode(episode(() => 'ok'), broken.sandbox, new AbortController().signal);
    expect(envFailure.error).toMatchObject({ kind: 'env', code: 'SE_ENV_ERROR' });
    expect(envFailure.error?.message).toMatch(/^step answered \{"state":"not a list"\}; expected \{ state: Message\[\]/);
    expect(broken.manager.metrics.live).toBe(0);
  });
});
