import type { Message } from '../protocol/messages.js';

export type Awaitable<T> = T | Promise<T>;

export type TaskStatus = 'passed' | 'failed' | 'errored';

/**
 * Why a task errored. `agent`: the agent threw or answered nonsense; `env`: the environment failed
 * handling a call; `infra`: the sandbox could not be reached or died; `timeout`: a time limit hit.
 */
export type ErrorKind = 'agent' | 'env' | 'infra' | 'timeout';

/** One planned episode: a task of a suite, for one trial. */
export interface PlannedTask {
  suite: string;
  dataset: string;
  split: string;
  taskId: string;
  trial: number;
}

export interface SuitePlan {
  name: string;
  dataset: string;
  split: string;
  /** The eval file, relative to the project root; absent for ad hoc runs. */
  file?: string;
  /** Number of planned episodes (tasks x trials). */
  tasks: number;
  /** Reward at or above which a task passes. */
  pass: number;
}

export interface RunPlan {
  runId: string;
  startedAt: string;
  suites: readonly SuitePlan[];
  /** Total planned episodes. */
  total: number;
  concurrency: number;
  provider: string;
}

/** One finished episode, as the JSON report's `tasks[]` entries (plus `suite` for routing). */
export interface TaskResult {
  suite: string;
  dataset: string;
  split: string;
  taskId: string;
  trial: number;
  reward: number;
  status: TaskStatus;
  steps: number;
  durationMs: number;
  error?: { kind: ErrorKind; message: string; code?: string };
  /** The whole conversation: initial state, actions and observations. */
  trajectory: Message[];
  /** The evaluation detail object, when the environment gave one. */
  evaluation?: Record<string, unknown>;
}

export interface Summary {
  tasks: number;
  passed: number;
  failed: number;
  errored: number;
  meanReward: number;
}

export interface SuiteSummary extends Summary {
  name: string;
  dataset: string;
  split: string;
  file?: string;
  durationMs: number;
}

export interface RunSummary {
  runId: string;
  startedAt: string;
  durationMs: number;
  summary: Summary;
  suites: readonly SuiteSummary[];
}

export type RunEndReason = 'passed' | 'failed' | 'errored' | 'interrupted';

/**
 * A reporter consumes the stream of results. Every hook is optional and may be async; values are
 * frozen. Reporters write as they go and keep no more than they must (trajectories are not hoarded).
 */
export interface Reporter {
  /** Once, after planning and before any episode starts. */
  onRunStart?(plan: Readonly<RunPlan>): Awaitable<void>;
  /** When an episode starts. */
  onTaskStart?(task: Readonly<PlannedTask>): Awaitable<void>;
  /** When an episode has finished (passed, failed or errored). */
  onTaskEnd?(result: Readonly<TaskResult>): Awaitable<void>;
  /** Once, at the end; `reason` says how the run ended. */
  onRunEnd?(summary: Readonly<RunSummary>, reason: RunEndReason): Awaitable<void>;
}
