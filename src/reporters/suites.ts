import type { RunPlan, RunSummary, Summary, SuiteMetrics, TaskResult, Thresholds } from './types.js';

/** Counts of the results a reporter has seen for one suite. */
export interface Tally {
  tasks: number;
  passed: number;
  failed: number;
  errored: number;
  rewardSum: number;
  /** Highest trial index seen: above 0, the suite runs several trials. */
  maxTrial: number;
}

/** What a reporter knows about a suite at the end of a run. */
export interface SuiteView {
  name: string;
  dataset: string;
  split: string;
  file?: string;
  pass?: number;
  trials?: number;
  thresholds?: Thresholds;
  durationMs?: number;
  metrics?: SuiteMetrics;
  summary: Summary;
  tally: Tally;
}

/** The five summary numbers alone, whatever else the object carries. */
export function summaryOf(s: Readonly<Summary>): Summary {
  return { tasks: s.tasks, passed: s.passed, failed: s.failed, errored: s.errored, meanReward: s.meanReward };
}

function summaryOfTally(t: Tally): Summary {
  return {
    tasks: t.tasks,
    passed: t.passed,
    failed: t.failed,
    errored: t.errored,
    meanReward: t.tasks > 0 ? t.rewardSum / t.tasks : 0,
  };
}

/** A suite as the plan described it, with the counts of its results so far. */
export interface SuiteInfo {
  name: string;
  dataset: string;
  split: string;
  file?: string;
  pass?: number;
  trials?: number;
  thresholds?: Thresholds;
  /** Planned episodes, when the plan named the suite. */
  planned?: number;
  tally: Tally;
}

/**
 * Suites of one run, keyed by name: what the plan said about each and small counts of what arrived.
 * Reporters use it to know a suite's pass threshold and whether it has several trials, and to list
 * every suite at the end (planned ones with no finished task, too) in plan order.
 */
export class SuiteTable {
  readonly #suites = new Map<string, SuiteInfo>();

  constructor(plan?: Readonly<RunPlan>) {
    for (const suite of plan?.suites ?? []) {
      this.#suites.set(suite.name, {
        name: suite.name,
        dataset: suite.dataset,
        split: suite.split,
        file: suite.file,
        pass: suite.pass,
        trials: suite.trials,
        thresholds: suite.thresholds,
        planned: suite.tasks,
        tally: emptyTally(),
      });
    }
  }

  /** Counts a finished task; a suite the plan did not name is added from the result. */
  add(result: Readonly<TaskResult>): SuiteInfo {
    let info = this.#suites.get(result.suite);
    if (!info) {
      info = { name: result.suite, dataset: result.dataset, split: result.split, tally: emptyTally() };
      this.#suites.set(result.suite, info);
    }
    const tally = info.tally;
    tally.tasks += 1;
    tally[result.status] += 1;
    tally.rewardSum += Number.isFinite(result.reward) ? result.reward : 0;
    tally.maxTrial = Math.max(tally.maxTrial, result.trial);
    return info;
  }

  get(name: string): SuiteInfo | undefined {
    return this.#suites.get(name);
  }

  /**
   * Every suite, in the order of the run summary, then of the plan, then of arrival. The summary's
   * numbers win over the local counts: the runner is the authority on what a suite amounted to.
   */
  list(summary?: Readonly<RunSummary>): SuiteView[] {
    const views: SuiteView[] = [];
    const seen = new Set<string>();
    for (const suite of summary?.suites ?? []) {
      const info = this.#suites.get(suite.name);
      seen.add(suite.name);
      views.push({
        name: suite.name,
        dataset: suite.dataset,
        split: suite.split,
        file: suite.file ?? info?.file,
        pass: info?.pass,
        trials: info?.trials,
        thresholds: info?.thresholds,
        durationMs: suite.durationMs,
        metrics: suite.metrics,
        summary: summaryOf(suite),
        tally: info?.tally ?? emptyTally(),
      });
    }
    for (const info of this.#suites.values()) {
      if (seen.has(info.name)) continue;
      views.push({
        name: info.name,
        dataset: info.dataset,
        split: info.split,
        file: info.file,
        pass: info.pass,
        trials: info.trials,
        thresholds: info.thresholds,
        summary: summaryOfTally(info.tally),
        tally: info.tally,
      });
    }
    return views;
  }
}

function emptyTally(): Tally {
  return { tasks: 0, passed: 0, failed: 0, errored: 0, rewardSum: 0, maxTrial: 0 };
}
