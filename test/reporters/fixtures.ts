import { Writable } from 'node:stream';
import type { RunPlan, RunSummary, SuitePlan, SuiteSummary, TaskResult } from '../../src/reporters/types.js';

/** A Writable that keeps what was written, as text and as separate writes. */
export class Capture extends Writable {
  readonly writes: string[] = [];
  isTTY?: boolean;
  columns?: number;

  constructor(options: { isTTY?: boolean; columns?: number } = {}) {
    super();
    this.isTTY = options.isTTY;
    this.columns = options.columns;
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writes.push(chunk.toString());
    callback();
  }

  get text(): string {
    return this.writes.join('');
  }
}

export const STARTED_AT = '2025-03-04T05:06:07.890Z';

export function plan(suites: SuitePlan[]): RunPlan {
  return {
    runId: 'run-1',
    startedAt: STARTED_AT,
    suites,
    total: suites.reduce((sum, s) => sum + s.tasks, 0),
    concurrency: 4,
    provider: 'embedded',
  };
}

type ResultInput = Partial<TaskResult> & Pick<TaskResult, 'suite' | 'taskId'>;

export function result(input: ResultInput): TaskResult {
  const reward = input.reward ?? (input.status === 'passed' || input.status === undefined ? 1 : 0);
  return {
    dataset: 'guess',
    split: 'test',
    trial: 0,
    reward,
    status: 'passed',
    steps: 3,
    durationMs: 1234,
    trajectory: [
      { role: 'system', content: 'Guess the number.' },
      { role: 'user', content: `Task ${input.taskId}` },
      { role: 'assistant', content: '42' },
    ],
    ...input,
  };
}

/** The run summary a runner would compute from these results (suites in plan order). */
export function summarize(runPlan: RunPlan, results: readonly TaskResult[], durationMs = 5000): RunSummary {
  const count = (rs: readonly TaskResult[]) => ({
    tasks: rs.length,
    passed: rs.filter((r) => r.status === 'passed').length,
    failed: rs.filter((r) => r.status === 'failed').length,
    errored: rs.filter((r) => r.status === 'errored').length,
    meanReward: rs.length > 0 ? rs.reduce((sum, r) => sum + r.reward, 0) / rs.length : 0,
  });
  const suites: SuiteSummary[] = runPlan.suites.map((s, index) => ({
    name: s.name,
    dataset: s.dataset,
    split: s.split,
    file: s.file,
    durationMs: 1000 * (index + 1),
    ...count(results.filter((r) => r.suite === s.name)),
  }));
  return { runId: runPlan.runId, startedAt: runPlan.startedAt, durationMs, summary: count(results), suites };
}

/**
 * Two suites, results interleaved across them, tasks finishing out of natural order, with every
 * status, every error kind and text that needs escaping.
 */
export function scenario(): { plan: RunPlan; results: TaskResult[] } {
  const runPlan = plan([
    { name: 'bfcl multi-turn', dataset: 'bfcl', split: 'val', file: 'evals/bfcl.eval.ts', tasks: 6, pass: 1 },
    { name: 'guess <&> "quotes"', dataset: 'guess', split: 'test', tasks: 4, pass: 0.5 },
  ]);
  const bfcl = (taskId: string, extra: Partial<TaskResult> = {}) =>
    result({ suite: 'bfcl multi-turn', dataset: 'bfcl', split: 'val', taskId, ...extra });
  const guess = (taskId: string, extra: Partial<TaskResult> = {}) =>
    result({ suite: 'guess <&> "quotes"', dataset: 'guess', split: 'test', taskId, ...extra });
  const results: TaskResult[] = [
    bfcl('multi_turn_base_10', { reward: 1, steps: 7, durationMs: 2100 }),
    guess('g-2', { trial: 1, status: 'failed', reward: 0.25, durationMs: 300 }),
    bfcl('multi_turn_base_2', {
      status: 'failed',
      reward: 0.5,
      steps: 12,
      durationMs: 3200,
      evaluation: { reward: 0.5, checks: [true, false] },
    }),
    guess('g-1', { trial: 0, durationMs: 250 }),
    bfcl('multi_turn_base_7', {
      status: 'errored',
      reward: 0,
      steps: 4,
      durationMs: 60000,
      error: { kind: 'timeout', message: 'Agent exceeded 60s\nwhile thinking', code: 'SE_TIMEOUT' },
    }),
    guess('g-1', { trial: 1, durationMs: 260 }),
    bfcl('multi_turn_base_1', {
      status: 'errored',
      reward: 0,
      steps: 0,
      durationMs: 15,
      error: { kind: 'infra', message: 'connect ECONNREFUSED 127.0.0.1:8080 <sandbox> & "retry" ]]> \u0001\u0007 done' },
    }),
    guess('g-2', {
      trial: 0,
      status: 'errored',
      reward: 0,
      durationMs: 5,
      error: { kind: 'agent', message: 'Agent returned undefined' },
    }),
    bfcl('multi_turn_base_3', {
      steps: 2,
      durationMs: 900,
      trajectory: [
        { role: 'system', content: 'Tools: ls, cd' },
        { role: 'user', content: 'List files with "quotes", <tags>, & ampersands, émojis 🎉, tabs\tand\nnewlines, \u0000nul, ]]>' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'ls', arguments: '{"path":"/"}' } }],
        },
        { role: 'tool', content: 'a.txt\nb.txt', tool_call_id: 'c1' },
      ],
    }),
    bfcl('multi_turn_base_4', { status: 'errored', reward: 0, error: { kind: 'env', message: 'KeyError: path' } }),
  ];
  return { plan: runPlan, results };
}
