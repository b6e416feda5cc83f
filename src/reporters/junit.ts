import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { ReportOutput } from './output.js';
import { ResultSpool } from './spool.js';
import { SuiteTable, type SuiteView } from './suites.js';
import type { ErrorKind, Reporter, RunEndReason, RunPlan, RunSummary, TaskResult, TaskStatus } from './types.js';

export interface JUnitReporterOptions {
  /** The XML file; written atomically, missing folders are created. @default stdout */
  outputFile?: string;
  /** Where the XML goes when there is no `outputFile`. @default process.stdout */
  stdout?: Writable;
}

/** What the JUnit report needs of a task: everything but the trajectory. */
interface CaseRecord {
  taskId: string;
  trial: number;
  status: TaskStatus;
  reward: number;
  steps: number;
  durationMs: number;
  error?: { kind: ErrorKind; message: string; code?: string };
}

/**
 * Writes JUnit XML in the Ant/Surefire shape that Jenkins, GitLab and GitHub annotators read, valid
 * against the strict Ant JUnit schema: `<testsuites>` with one `<testsuite>` per suite and one
 * `<testcase>` per task and trial (classname = suite name). That schema allows `<properties>` only on
 * a suite, so per-task values (reward, steps, trial) are suite properties named `<testcase>.<key>`,
 * and are repeated, with dataset and split, in the body of `<failure>` and `<error>`, which is what
 * CI pages show. Tasks are spooled to a file as they arrive and ordered like the JSON report's.
 */
export class JUnitReporter implements Reporter {
  readonly #outputFile: string | undefined;
  readonly #stdout: Writable;
  #spool: ResultSpool;
  #suites = new SuiteTable();
  #startedAt: string | undefined;

  constructor(options: JUnitReporterOptions = {}) {
    this.#outputFile = options.outputFile === undefined ? undefined : resolve(options.outputFile);
    this.#stdout = options.stdout ?? process.stdout;
    this.#spool = new ResultSpool({ nextTo: this.#outputFile });
  }

  async onRunStart(plan: Readonly<RunPlan>): Promise<void> {
    await this.#spool.remove();
    this.#spool = new ResultSpool({ nextTo: this.#outputFile });
    this.#suites = new SuiteTable(plan);
    this.#startedAt = plan.startedAt;
    if (this.#outputFile) await mkdir(dirname(this.#outputFile), { recursive: true });
  }

  async onTaskEnd(result: Readonly<TaskResult>): Promise<void> {
    this.#suites.add(result);
    const record: CaseRecord = {
      taskId: result.taskId,
      trial: result.trial,
      status: result.status,
      reward: result.reward,
      steps: result.steps,
      durationMs: result.durationMs,
    };
    if (result.status === 'errored' && result.error) record.error = result.error;
    await this.#spool.append(result.suite, result, record);
  }

  async onRunEnd(summary: Readonly<RunSummary>, _reason: RunEndReason): Promise<void> {
    try {
      await ReportOutput.writeDocument({ outputFile: this.#outputFile, stdout: this.#stdout }, async (output) => {
        await output.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n');
        const timestamp = junitTimestamp(this.#startedAt ?? summary.startedAt);
        let id = 0;
        for (const suite of this.#suites.list(summary)) await this.#writeSuite(output, suite, id++, timestamp);
        await output.write('</testsuites>\n');
      });
    } finally {
      await this.#spool.remove();
    }
  }

  async #writeSuite(output: ReportOutput, suite: SuiteView, id: number, timestamp: string): Promise<void> {
    // counts come from the cases written, so the attributes always agree with the content
    const { tally } = suite;
    const several = tally.maxTrial > 0;
    const name = suite.name.trim() === '' ? '(unnamed suite)' : suite.name;
    const seconds = suite.durationMs ?? 0;
    await output.write(
      `  <testsuite name="${attr(name)}" package="${attr(name)}" id="${id}" timestamp="${timestamp}"` +
        ` hostname="${attr(hostname() || 'localhost')}" tests="${tally.tasks}" failures="${tally.failed}"` +
        ` errors="${tally.errored}" skipped="0" time="${secondsOf(seconds)}">\n    <properties>\n`,
    );
    const suiteProps: Array<[string, string | number | undefined]> = [
      ['dataset', suite.dataset],
      ['split', suite.split],
      ['file', suite.file],
      ['pass', suite.pass],
      ['meanReward', suite.summary.meanReward],
    ];
    for (const [key, value] of suiteProps) if (value !== undefined) await output.write(property(key, value));
    for await (const line of this.#spool.read(suite.name)) {
      const record = JSON.parse(line) as CaseRecord;
      const caseName = caseNameOf(record, several);
      await output.write(property(`${caseName}.reward`, record.reward));
      await output.write(property(`${caseName}.steps`, record.steps));
      if (several) await output.write(property(`${caseName}.trial`, record.trial));
    }
    await output.write('    </properties>\n');
    for await (const line of this.#spool.read(suite.name)) {
      await output.write(testcase(JSON.parse(line) as CaseRecord, suite, name, several));
    }
    await output.write('    <system-out/>\n    <system-err/>\n  </testsuite>\n');
  }
}

function caseNameOf(record: CaseRecord, several: boolean): string {
  return several ? `${record.taskId} [trial ${record.trial}]` : record.taskId;
}

function testcase(record: CaseRecord, suite: SuiteView, classname: string, several: boolean): string {
  const open = `    <testcase name="${attr(caseNameOf(record, several))}" classname="${attr(classname)}" time="${secondsOf(record.durationMs)}"`;
  const details = [
    `reward: ${record.reward}`,
    ...(suite.pass === undefined ? [] : [`pass threshold: ${suite.pass}`]),
    `steps: ${record.steps}`,
    `dataset: ${suite.dataset}`,
    `split: ${suite.split}`,
    `trial: ${record.trial}`,
  ];
  if (record.status === 'failed') {
    const message =
      suite.pass === undefined
        ? `reward ${record.reward} is below the pass threshold`
        : `reward ${record.reward} is below the pass threshold ${suite.pass}`;
    return `${open}>\n      <failure message="${attr(message)}" type="reward">${text(details.join('\n'))}</failure>\n    </testcase>\n`;
  }
  if (record.status === 'errored') {
    const kind = record.error?.kind ?? 'infra';
    const message = record.error?.message ?? 'the task errored without an error message';
    const body = [`${kind}${record.error?.code ? ` (${record.error.code})` : ''}: ${message}`, '', ...details];
    return `${open}>\n      <error message="${attr(message)}" type="${attr(kind)}">${text(body.join('\n'))}</error>\n    </testcase>\n`;
  }
  return `${open}/>\n`;
}

function property(name: string, value: string | number): string {
  return `      <property name="${attr(name)}" value="${attr(String(value))}"/>\n`;
}

/** Seconds with millisecond precision, as xs:decimal (never negative, never exponent notation). */
function secondsOf(ms: number): string {
  return (Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0).toFixed(3);
}

/** The schema's timestamp: UTC, to the second, without a zone designator. */
function junitTimestamp(iso: string): string {
  const date = new Date(iso);
  return (Number.isNaN(date.getTime()) ? new Date() : date).toISOString().slice(0, 19);
}

// Characters XML 1.0 forbids outright (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/F):
// no escape can carry them, so they are replaced with U+FFFD to show that something was there.
const ILLEGAL_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes element text; `>` too, so `]]>` can never appear. */
function text(value: string): string {
  return value.replace(ILLEGAL_XML, '\uFFFD').replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Escapes an attribute value; tab and line breaks become references so parsers keep them. */
function attr(value: string): string {
  return value.replace(ILLEGAL_XML, '\uFFFD').replace(/[&<>"\t\n\r]/g, (c) => ATTR_ESCAPES[c] ?? c);
}

const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};
