import type { RunSummary, Summary, SuitePlan, SuiteSummary, TaskResult } from '../reporters/types.js';

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

/** Counts results as they stream in; keeps only numbers, never trajectories. */
export class SummaryBuilder {
  readonly #total = emptyTally();
  readonly #suites = new Map<string, { plan: SuitePlan; tally: Tally; firstStart?: number; lastEnd?: number }>();
  #infraErrors = 0;

  constructor(suites: readonly SuitePlan[]) {
    for (const plan of suites) this.#suites.set(plan.name, { plan, tally: emptyTally() });
  }

  started(suite: string, at = performance.now()): void {
    const entry = this.#suites.get(suite);
    if (entry && entry.firstStart === undefined) entry.firstStart = at;
  }

  add(result: TaskResult, at = performance.now()): void {
    add(this.#total, result);
    const entry = this.#suites.get(result.suite);
    if (entry) {
      add(entry.tally, result);
      entry.lastEnd = at;
    }
    if (result.error && (result.error.kind === 'infra' || result.error.kind === 'env')) this.#infraErrors += 1;
  }

  /** Tasks that errored because the sandbox or the environment failed (exit code 2). */
  get infrastructureErrors(): number {
    return this.#infraErrors;
  }

  get total(): Summary {
    return summarise(this.#total);
  }

  build(options: { runId: string; startedAt: string; durationMs: number }): RunSummary {
    const suites: SuiteSummary[] = [...this.#suites.values()].map(({ plan, tally, firstStart, lastEnd }) => ({
      name: plan.name,
      dataset: plan.dataset,
      split: plan.split,
      ...(plan.file ? { file: plan.file } : {}),
      ...summarise(tally),
      durationMs: firstStart !== undefined && lastEnd !== undefined ? lastEnd - firstStart : 0,
    }));
    return { ...options, summary: this.total, suites };
  }
}
