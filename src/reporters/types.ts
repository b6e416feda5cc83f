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
  /** Trials per task. @default 1 */
  trials?: number;
  /** The suite's gates; when set they decide the suite's verdict instead of "every task passes". */
  thresholds?: Thresholds;
}

/** Gates of a suite, checked when the run ends. Each is a minimum. */
export interface Thresholds {
  /** Minimum mean reward over the suite's tasks. */
  meanReward?: number;
  /** Minimum share of episodes that pass. */
  passRate?: number;
  /** Minimum mean pass@k (k = trials). */
  passAtK?: number;
  /** Per-task minimum mean reward over its trials, by task id. */
  tasks?: Record<string, number>;
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
  /** How many times the episode ran: more than 1 when infrastructure errors were retried. */
  attempts?: number;
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
  /** Trial-aware metrics of the suite (present once the run has them). */
  metrics?: SuiteMetrics;
}

/** Statistics of a suite over its tasks and trials. */
export interface SuiteMetrics {
  /** Trials per task. */
  trials: number;
  /** Distinct tasks (episodes = tasks x trials). */
  taskCount: number;
  /** Share of episodes that passed. */
  passRate: number;
  meanReward: number;
  /** 95% confidence interval of the mean reward (t interval over per-task mean rewards). */
  meanRewardCI95: [number, number];
  /** Mean over tasks of pass@k, k = trials: the chance that at least one of k trials passes. */
  passAtK: number;
  /** Mean over tasks of pass^k, k = trials: the chance that all k trials pass. */
  passHatK: number;
}

/** One task's trials, aggregated. */
export interface TaskAggregate {
  suite: string;
  taskId: string;
  trials: number;
  passes: number;
  errors: number;
  meanReward: number;
  passAtK: number;
  passHatK: number;
}

/** A threshold (gate) that the run did not meet; the exit code is 1 when any exists. */
export interface GateFailure {
  suite: string;
  /** Set for per-task gates. */
  taskId?: string;
  /** Which gate: `meanReward`, `passRate`, `passAtK`, or a per-task `reward`. */
  gate: string;
  expected: number;
  actual: number;
  message: string;
}

export type Verdict = 'regressed' | 'improved' | 'unchanged' | 'new' | 'missing';

/** One task compared with the baseline report. */
export interface TaskComparison {
  suite: string;
  taskId: string;
  verdict: Verdict;
  baseline?: { trials: number; meanReward: number; passes: number };
  current?: { trials: number; meanReward: number; passes: number };
  /** The test's p-value, where a test was run (tasks present on both sides). */
  pValue?: number;
}

/** The comparison with `--baseline`: per-task verdicts and the statistical test that decided them. */
export interface BaselineComparison {
  /** The baseline report's path, as given. */
  baseline: string;
  /** The test, stated so a reader can check it, e.g. a one-sided Welch t-test / Fisher exact test. */
  test: { name: string; alpha: number; minEffect: number; description: string };
  counts: Record<Verdict, number>;
  /** Regressions first, then improvements, new, missing, unchanged. */
  tasks: readonly TaskComparison[];
}

export interface RunSummary {
  runId: string;
  startedAt: string;
  durationMs: number;
  summary: Summary;
  suites: readonly SuiteSummary[];
  /** Thresholds that failed (empty or absent when all held). */
  gates?: readonly GateFailure[];
  /** Present when the run was compared with a baseline report. */
  comparison?: BaselineComparison;
  /** Infrastructure errors that were retried, in total. */
  retries?: number;
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
