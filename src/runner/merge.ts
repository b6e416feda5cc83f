import { ConfigError } from '../errors.js';
import { ReporterSet, resolveReporters } from '../reporters/index.js';
import type { JsonReport } from '../reporters/report-schema.js';
import type { RunPlan, SuitePlan, TaskResult, Thresholds } from '../reporters/types.js';
import { readReport, rewardsOf } from './baseline.js';
import type { ReporterSpec } from './config.js';
import { episodeKey } from './journal.js';
import { finishRun, type RunEvalsOptions, type RunOutcome } from './run.js';
import { SummaryBuilder } from './summary.js';

/**
 * Joins JSON reports of shards (`--shard i/n`) into one run: every task is replayed through the
 * reporters, and gates and the baseline comparison are decided on the whole, exactly as for an
 * unsharded run. Overlapping shards (one episode in two reports) are an error.
 */
export async function mergeReports(options: {
  files: readonly string[];
  cwd: string;
  reporters: readonly ReporterSpec[];
  baseline?: string;
  stdout?: RunEvalsOptions['stdout'];
  stderr?: RunEvalsOptions['stderr'];
}): Promise<RunOutcome> {
  const reports = options.files.map((file) => ({ file, report: readReport(file, options.cwd) }));
  const plan = planOf(reports.map(({ report }) => report));
  const summary = new SummaryBuilder(plan.suites);
  const reporters = new ReporterSet(await resolveReporters({ specs: options.reporters, cwd: options.cwd, stdout: options.stdout, stderr: options.stderr }));
  const seen = new Map<string, string>();

  await reporters.onRunStart(plan);
  for (const { file, report } of reports) {
    for (const suite of report.suites) {
      for (const task of suite.tasks) {
        const result: TaskResult = {
          suite: suite.name,
          dataset: suite.dataset,
          split: suite.split,
          taskId: task.taskId,
          trial: task.trial,
          reward: task.reward,
          status: task.status,
          steps: task.steps,
          durationMs: task.durationMs,
          trajectory: task.trajectory as TaskResult['trajectory'],
          ...(task.error ? { error: task.error as NonNullable<TaskResult['error']> } : {}),
          ...(task.evaluation ? { evaluation: task.evaluation } : {}),
          ...(task.attempts !== undefined ? { attempts: task.attempts } : {}),
        };
        const key = episodeKey(result);
        const other = seen.get(key);
        if (other) throw new ConfigError(`Task ${task.taskId} (trial ${task.trial}) of "${suite.name}" is in both ${other} and ${file}: the reports overlap. Merge the reports of distinct shards of one plan.`);
        seen.set(key, file);
        summary.add(result);
        await reporters.onTaskEnd(Object.freeze(result));
      }
    }
  }
  return finishRun({
    plan,
    summary,
    reporters,
    // shards run side by side: the merged run took as long as the slowest
    durationMs: Math.max(...reports.map(({ report }) => report.durationMs)),
    interrupted: reports.some(({ report }) => report.reason === 'interrupted'),
    ...(options.baseline ? { baseline: { path: options.baseline, rewards: rewardsOf(readReport(options.baseline, options.cwd)) } } : {}),
  });
}

/** One plan for the union of the reports' suites, in the order they first appear. */
function planOf(reports: readonly JsonReport[]): RunPlan {
  const suites = new Map<string, SuitePlan>();
  for (const report of reports) {
    for (const suite of report.suites) {
      const known = suites.get(suite.name);
      if (known && (known.dataset !== suite.dataset || known.split !== suite.split)) {
        throw new ConfigError(`Suite "${suite.name}" is ${known.dataset}/${known.split} in one report and ${suite.dataset}/${suite.split} in another: these reports are not shards of one plan.`);
      }
      suites.set(suite.name, {
        name: suite.name,
        dataset: suite.dataset,
        split: suite.split,
        ...((known?.file ?? suite.file) ? { file: known?.file ?? suite.file } : {}),
        tasks: (known?.tasks ?? 0) + suite.tasks.length,
        pass: suite.pass ?? known?.pass ?? 1,
        ...((suite.trials ?? known?.trials) !== undefined ? { trials: (suite.trials ?? known?.trials)! } : {}),
        ...((suite.thresholds ?? known?.thresholds) ? { thresholds: (suite.thresholds ?? known?.thresholds) as Thresholds } : {}),
      });
    }
  }
  const startedAt = reports.map((report) => report.startedAt).sort()[0]!;
  const total = [...suites.values()].reduce((sum, suite) => sum + suite.tasks, 0);
  return Object.freeze({ runId: reports[0]?.runId ?? 'merged', startedAt, suites: [...suites.values()], total, concurrency: 1, provider: 'merge' });
}
