import type { GateFailure, SuitePlan, TaskAggregate } from '../reporters/types.js';
import type { SummaryBuilder } from './summary.js';

const SUITE_GATES = ['meanReward', 'passRate', 'passAtK'] as const;
const LABEL: Record<(typeof SUITE_GATES)[number], string> = { meanReward: 'mean reward', passRate: 'pass rate', passAtK: 'pass@k' };

/** The thresholds of every suite that the run's results did not meet. */
export function checkGates(suites: readonly SuitePlan[], summary: SummaryBuilder): GateFailure[] {
  const failures: GateFailure[] = [];
  // per-task aggregates only when some suite gates single tasks: they cost a pass over every task
  const taskAggregates = new Map<string, TaskAggregate>();
  if (suites.some((suite) => suite.thresholds?.tasks !== undefined)) {
    for (const aggregate of summary.taskAggregates()) taskAggregates.set(`${aggregate.suite}\0${aggregate.taskId}`, aggregate);
  }

  for (const suite of suites) {
    const thresholds = suite.thresholds;
    if (!thresholds) continue;
    const metrics = summary.metricsOf(suite.name);
    if (!metrics) continue;
    for (const gate of SUITE_GATES) {
      const expected = thresholds[gate];
      if (expected === undefined || metrics[gate] >= expected) continue;
      failures.push({
        suite: suite.name,
        gate,
        expected,
        actual: metrics[gate],
        message: `${suite.name}: ${LABEL[gate]} ${metrics[gate].toFixed(3)} is below the threshold ${expected}`,
      });
    }
    for (const [taskId, expected] of Object.entries(thresholds.tasks ?? {})) {
      const aggregate = taskAggregates.get(`${suite.name}\0${taskId}`);
      // a task the run did not select (filtered, or in another shard) has no verdict here
      if (!aggregate || aggregate.meanReward >= expected) continue;
      failures.push({
        suite: suite.name,
        taskId,
        gate: 'reward',
        expected,
        actual: aggregate.meanReward,
        message: `${suite.name}: task ${taskId} mean reward ${aggregate.meanReward.toFixed(3)} is below its threshold ${expected}`,
      });
    }
  }
  return failures;
}
