import type { RunSummary, Summary, SuiteMetrics, SuitePlan, SuiteSummary, TaskAggregate, TaskResult } from '../reporters/types.js';
import { confidenceInterval95, mean, passAtK, passHatK } from './stats.js';

interface Tally {
  tasks: number;
  passed: number;
  failed: number;
  errored: number;
  rewardSum: number;
}

const emptyTally = (): Tally => ({ tasks: 0, passed: 0, failed: 0, errored: 0, rewardSum: 0 });

function add(tally: Tally, result: TaskResult): void {
  tally.tasks += 1;
  tally[result.status] += 1;
  tally.rewardSum += result.reward;
}

/** Errored tasks count with reward 0 in the mean, so an unstable agent cannot look better by crashing. */
function summarise(tally: Tally): Summary {
  const { tasks, passed, failed, errored, rewardSum } = tally;
  return { tasks, passed, failed, errored, meanReward: tasks ? rewardSum / tasks : 0 };
}

/** Per task: the rewards of its trials, and how many passed or errored. Numbers only. */
interface TaskTrials {
  rewards: number[];
  passes: number;
  errors: number;
}

interface SuiteEntry {
  plan: SuitePlan;
  tally: Tally;
  tasks: Map<string, TaskTrials>;
  firstStart?: number;
  lastEnd?: number;
}

/** Counts results as they stream in; keeps numbers per task (for trials), never trajectories. */
export class SummaryBuilder {
  readonly #total = emptyTally();
  readonly #suites = new Map<string, SuiteEntry>();
  #infraErrors = 0;
  #retries = 0;

  constructor(suites: readonly SuitePlan[]) {
    for (const plan of suites) this.#suites.set(plan.name, { plan, tally: emptyTally(), tasks: new Map() });
  }

  started(suite: string, at = performance.now()): void {
    const entry = this.#suites.get(suite);
    if (entry && entry.firstStart === undefined) entry.firstStart = at;
  }

  add(result: TaskResult, at = performance.now()): void {
    add(this.#total, result);
    if (result.attempts && result.attempts > 1) this.#retries += result.attempts - 1;
    if (result.error && (result.error.kind === 'infra' || result.error.kind === 'env')) this.#infraErrors += 1;
    const entry = this.#suites.get(result.suite);
    if (!entry) return;
    add(entry.tally, result);
    entry.firstStart ??= at;
    entry.lastEnd = at;
    let trials = entry.tasks.get(result.taskId);
    // a literal of one: `[]` then push() reserves 17 slots, ~150 bytes per task held until the run ends
    if (!trials) entry.tasks.set(result.taskId, (trials = { rewards: [result.reward], passes: 0, errors: 0 }));
    else trials.rewards.push(result.reward);
    if (result.status === 'passed') trials.passes += 1;
    if (result.status === 'errored') trials.errors += 1;
  }

  /** Tasks that errored because the sandbox or the environment failed (exit code 2). */
  get infrastructureErrors(): number {
    return this.#infraErrors;
  }

  get total(): Summary {
    return summarise(this.#total);
  }

  /** Every task's trials, aggregated, suite by suite (with the trials' rewards, for baseline tests). */
  *taskAggregates(): Generator<TaskAggregate & { rewards: readonly number[] }> {
    for (const [suite, entry] of this.#suites) {
      for (const [taskId, trials] of entry.tasks) {
        const n = trials.rewards.length;
        yield {
          suite,
          taskId,
          trials: n,
          passes: trials.passes,
          errors: trials.errors,
          meanReward: mean(trials.rewards),
          passAtK: passAtK(n, trials.passes, n),
          passHatK: passHatK(n, trials.passes, n),
          rewards: trials.rewards,
        };
      }
    }
  }

  #metrics(entry: SuiteEntry): SuiteMetrics {
    const perTask = [...entry.tasks.values()];
    const taskMeans = perTask.map((trials) => mean(trials.rewards));
    const episodes = perTask.reduce((sum, trials) => sum + trials.rewards.length, 0);
    const passes = perTask.reduce((sum, trials) => sum + trials.passes, 0);
    const trials = Math.max(0, ...perTask.map((task) => task.rewards.length));
    return {
      trials,
      taskCount: perTask.length,
      passRate: episodes ? passes / episodes : 0,
      meanReward: mean(taskMeans),
      meanRewardCI95: confidenceInterval95(taskMeans),
      passAtK: mean(perTask.map((task) => passAtK(task.rewards.length, task.passes, task.rewards.length))),
      passHatK: mean(perTask.map((task) => passHatK(task.rewards.length, task.passes, task.rewards.length))),
    };
  }

  metricsOf(suite: string): SuiteMetrics | undefined {
    const entry = this.#suites.get(suite);
    return entry ? this.#metrics(entry) : undefined;
  }

  build(options: { runId: string; startedAt: string; durationMs: number }): RunSummary {
    const suites: SuiteSummary[] = [...this.#suites.values()].map((entry) => ({
      name: entry.plan.name,
      dataset: entry.plan.dataset,
      split: entry.plan.split,
      ...(entry.plan.file ? { file: entry.plan.file } : {}),
      ...summarise(entry.tally),
      durationMs: entry.firstStart !== undefined && entry.lastEnd !== undefined ? entry.lastEnd - entry.firstStart : 0,
      metrics: this.#metrics(entry),
    }));
    return { ...options, summary: this.total, suites, ...(this.#retries ? { retries: this.#retries } : {}) };
  }
}
