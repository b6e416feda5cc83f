import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { reportSchema, type JsonReport } from '../reporters/report-schema.js';
import type { BaselineComparison, TaskAggregate, TaskComparison, Verdict } from '../reporters/types.js';
import { mean, permutationPValue } from './stats.js';

/** Significance level and smallest mean-reward change that counts, for `--baseline`. */
export const BASELINE_TEST = {
  name: 'one-sided permutation test on per-trial rewards',
  alpha: 0.05,
  minEffect: 0.05,
  description:
    'Per task, the trials of this run are compared with the baseline\'s by an exact permutation test of the difference in mean reward ' +
    '(Fisher\'s exact test for 0/1 rewards; seeded Monte Carlo past 20,000 relabellings). A task regressed (improved) when p <= alpha ' +
    'and its mean reward fell (rose) by at least minEffect. With one trial on each side no task can reach p <= 0.05: use --trials 3 or more.',
} as const;

/** Rewards of every task of a report, keyed by suite and task id. */
export type BaselineRewards = Map<string, { suite: string; taskId: string; rewards: number[]; passes: number }>;

export function readReport(path: string, cwd: string): JsonReport {
  const absolute = resolve(cwd, path);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(absolute, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Cannot read report ${path}: ${(error as Error).message}. Pass a JSON report written by --reporter json.`, { cause: error });
  }
  const parsed = reportSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${path} is not a sandbox-eval JSON report (schemaVersion 1): \`${issue?.path.join('.') ?? ''}\` ${issue?.message ?? ''}.`);
  }
  return parsed.data;
}

export function rewardsOf(report: JsonReport): BaselineRewards {
  const rewards: BaselineRewards = new Map();
  for (const suite of report.suites) {
    for (const task of suite.tasks) {
      const key = `${suite.name}\0${task.taskId}`;
      let entry = rewards.get(key);
      if (!entry) rewards.set(key, (entry = { suite: suite.name, taskId: task.taskId, rewards: [], passes: 0 }));
      entry.rewards.push(task.reward);
      if (task.status === 'passed') entry.passes += 1;
    }
  }
  return rewards;
}

const ORDER: Record<Verdict, number> = { regressed: 0, improved: 1, new: 2, missing: 3, unchanged: 4 };

/**
 * Compares this run's tasks with the baseline's, task by task. Only suites present in this run are
 * compared, so a filtered or sharded run does not report the rest as missing.
 */
export function compareWithBaseline(options: {
  baseline: string;
  baselineRewards: BaselineRewards;
  current: Iterable<TaskAggregate & { rewards: readonly number[] }>;
}): BaselineComparison {
  const { alpha, minEffect } = BASELINE_TEST;
  const tasks: TaskComparison[] = [];
  const seen = new Set<string>();
  const suites = new Set<string>();
  for (const task of options.current) {
    const key = `${task.suite}\0${task.taskId}`;
    seen.add(key);
    suites.add(task.suite);
    const current = { trials: task.trials, meanReward: task.meanReward, passes: task.passes };
    const before = options.baselineRewards.get(key);
    if (!before) {
      tasks.push({ suite: task.suite, taskId: task.taskId, verdict: 'new', current });
      continue;
    }
    const baseline = { trials: before.rewards.length, meanReward: mean(before.rewards), passes: before.passes };
    const change = current.meanReward - baseline.meanReward;
    let verdict: Verdict = 'unchanged';
    let pValue = 1;
    if (change <= -minEffect) {
      pValue = permutationPValue(before.rewards, task.rewards);
      if (pValue <= alpha) verdict = 'regressed';
    } else if (change >= minEffect) {
      pValue = permutationPValue(task.rewards, before.rewards);
      if (pValue <= alpha) verdict = 'improved';
    }
    tasks.push({ suite: task.suite, taskId: task.taskId, verdict, baseline, current, pValue });
  }
  for (const [key, before] of options.baselineRewards) {
    if (seen.has(key) || !suites.has(before.suite)) continue;
    tasks.push({ suite: before.suite, taskId: before.taskId, verdict: 'missing', baseline: { trials: before.rewards.length, meanReward: mean(before.rewards), passes: before.passes } });
  }
  tasks.sort((a, b) => ORDER[a.verdict] - ORDER[b.verdict] || a.suite.localeCompare(b.suite) || a.taskId.localeCompare(b.taskId, undefined, { numeric: true }));
  const counts: Record<Verdict, number> = { regressed: 0, improved: 0, unchanged: 0, new: 0, missing: 0 };
  for (const task of tasks) counts[task.verdict] += 1;
  return { baseline: options.baseline, test: { ...BASELINE_TEST }, counts, tasks };
}
