import { defineEnvironment, type EnvInstance, type EnvironmentDefinition } from '../../src/envs/types.js';
import type { Message, StepResult } from '../../src/protocol/messages.js';

/**
 * `probe`: a test environment that records how calls overlap, so tests can see serialisation per
 * instance and concurrency across instances. Step actions are commands:
 * - "wait": block until the test calls `open()`;
 * - "throw": the env raises an Error (with a stack the server must not leak);
 * - anything else: echoed back.
 * Task "fail-create" raises in createInstance; task "fail-close" raises in close(); get_info with
 * `params.bigint` answers a value JSON cannot encode (an unexpected server failure).
 */
export interface Probe {
  definition: EnvironmentDefinition;
  /** Calls running right now, per instance id and in total. */
  active: Map<string, number>;
  /** Most calls ever running at once on one instance, and across all. */
  maxPerInstance: number;
  maxOverall: number;
  /** `instanceId:content` in the order steps started. */
  started: string[];
  closed: string[];
  /** Lets every waiting (and future) "wait" step finish. */
  open(): void;
  /** Resolves once `count` steps have started in total. */
  whenStarted(count: number): Promise<void>;
}

export function createProbe(): Probe {
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let overall = 0;

  const probe: Probe = {
    definition: undefined as unknown as EnvironmentDefinition,
    active: new Map(),
    maxPerInstance: 0,
    maxOverall: 0,
    started: [],
    closed: [],
    open: () => openGate(),
    whenStarted(count) {
      if (probe.started.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };

  function instance(taskId: string, instanceId: string): EnvInstance {
    return {
      initial: {
        state: [
          { role: 'system', content: 'probe' },
          { role: 'user', content: `task ${taskId}` },
        ],
        info: { instance_id: instanceId, task_id: taskId },
      },
      async step(action: Message): Promise<StepResult> {
        const now = (probe.active.get(instanceId) ?? 0) + 1;
        probe.active.set(instanceId, now);
        overall += 1;
        probe.maxPerInstance = Math.max(probe.maxPerInstance, now);
        probe.maxOverall = Math.max(probe.maxOverall, overall);
        probe.started.push(`${instanceId}:${action.content}`);
        for (const waiter of waiters.filter((w) => probe.started.length >= w.count)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
        try {
          if (action.content === 'wait') await gate;
          else await Promise.resolve();
          if (action.content === 'throw') throw new Error('env exploded');
          return { state: [{ role: 'user', content: `echo ${action.content}` }], reward: 0, is_terminated: false, info: {} };
        } finally {
          probe.active.set(instanceId, (probe.active.get(instanceId) ?? 1) - 1);
          overall -= 1;
        }
      },
      evaluate: () => 1,
      getInfo: (_messages, params) => (params.bigint ? 10n : 'probe info'),
      close() {
        probe.closed.push(instanceId);
        if (taskId === 'fail-close') throw new Error('close failed');
      },
    };
  }

  probe.definition = defineEnvironment({
    name: 'probe',
    description: 'records overlapping calls (tests only)',
    load: () => ({
      name: 'probe',
      splits: () => ['train'],
      taskIds: () => ['t1', 't2', 'fail-create', 'fail-close'],
      createInstance({ taskId, instanceId }) {
        if (taskId === 'fail-create') throw new Error('cannot build this task');
        return instance(taskId, instanceId);
      },
    }),
  });
  return probe;
}
