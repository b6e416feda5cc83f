import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { ReportOutput } from './output.js';
import { REPORT_SCHEMA_VERSION } from './report-schema.js';
import { ResultSpool } from './spool.js';
import { SuiteTable, summaryOf } from './suites.js';
import type { Reporter, RunEndReason, RunPlan, RunSummary, TaskResult } from './types.js';

export interface JsonReporterOptions {
  /** The report file; written atomically, missing folders are created. @default stdout */
  outputFile?: string;
  /** Where the report goes when there is no `outputFile`. @default process.stdout */
  stdout?: Writable;
}

/**
 * Writes the JSON report (schema/report.schema.json). Finished tasks are spooled to a file as they
 * arrive, so trajectories never pile up in memory; at the end the document is streamed out suite by
 * suite. Within a suite, tasks are ordered by task id (natural order, so `t2` before `t10`) and then
 * trial: the plan does not list tasks, and arrival order depends on concurrency.
 */
export class JsonReporter implements Reporter {
  readonly #outputFile: string | undefined;
  readonly #stdout: Writable;
  #spool: ResultSpool;
  #suites = new SuiteTable();

  constructor(options: JsonReporterOptions = {}) {
    this.#outputFile = options.outputFile === undefined ? undefined : resolve(options.outputFile);
    this.#stdout = options.stdout ?? process.stdout;
    this.#spool = new ResultSpool({ nextTo: this.#outputFile });
  }

  async onRunStart(plan: Readonly<RunPlan>): Promise<void> {
    // a reporter may serve several runs (watch mode): each starts clean
    await this.#spool.remove();
    this.#spool = new ResultSpool({ nextTo: this.#outputFile });
    this.#suites = new SuiteTable(plan);
    // a bad output path should fail before the run, not after it
    if (this.#outputFile) await mkdir(dirname(this.#outputFile), { recursive: true });
  }

  onTaskEnd(result: Readonly<TaskResult>): Promise<void> {
    this.#suites.add(result);
    const task: Record<string, unknown> = {
      taskId: result.taskId,
      trial: result.trial,
      reward: result.reward,
      status: result.status,
      steps: result.steps,
      durationMs: result.durationMs,
    };
    if (result.status === 'errored' && result.error) task.error = result.error;
    if (result.evaluation) task.evaluation = result.evaluation;
    if (result.attempts !== undefined) task.attempts = result.attempts;
    task.trajectory = result.trajectory;
    // the spool's promise as is: an async wrapper would cost a promise and a tick per task
    return this.#spool.append(result.suite, result, task);
  }

  async onRunEnd(summary: Readonly<RunSummary>, reason: RunEndReason): Promise<void> {
    try {
      await ReportOutput.writeDocument({ outputFile: this.#outputFile, stdout: this.#stdout }, (output) => this.#writeReport(output, summary, reason));
    } finally {
      await this.#spool.remove();
    }
  }

  async #writeReport(output: ReportOutput, summary: Readonly<RunSummary>, reason: RunEndReason): Promise<void> {
    const head = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      runId: summary.runId,
      startedAt: summary.startedAt,
      durationMs: summary.durationMs,
      reason,
      summary: summaryOf(summary.summary),
      ...(summary.retries ? { retries: summary.retries } : {}),
      ...(summary.gates?.length ? { gates: summary.gates } : {}),
      ...(summary.comparison ? { comparison: summary.comparison } : {}),
    };
    await output.write(`${openObject(head)},"suites":[`);
    let suiteIndex = 0;
    for (const suite of this.#suites.list(summary)) {
      const header: Record<string, unknown> = { name: suite.name, dataset: suite.dataset, split: suite.split };
      if (suite.file !== undefined) header.file = suite.file;
      if (suite.pass !== undefined) header.pass = suite.pass;
      if (suite.trials !== undefined) header.trials = suite.trials;
      if (suite.thresholds !== undefined) header.thresholds = suite.thresholds;
      if (suite.durationMs !== undefined) header.durationMs = suite.durationMs;
      header.summary = suite.summary;
      if (suite.metrics !== undefined) header.metrics = suite.metrics;
      await output.write(`${suiteIndex++ === 0 ? '' : ','}\n${openObject(header)},"tasks":[`);
      let taskIndex = 0;
      for await (const task of this.#spool.read(suite.name)) {
        await output.write(`${taskIndex++ === 0 ? '' : ','}\n${task}`);
      }
      await output.write(']}');
    }
    await output.write('\n]}\n');
  }
}

/** `{"a":1}` without its closing brace, so more keys can be streamed after it. */
function openObject(value: object): string {
  return JSON.stringify(value).slice(0, -1);
}
