import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Writable } from 'node:stream';
import { formatDuration, formatNumber, formatPercent, formatPValue } from './format.js';
import { compareTasks } from './spool.js';
import { SuiteTable, type SuiteView } from './suites.js';
import type {
  BaselineComparison,
  ErrorKind,
  GateFailure,
  Reporter,
  RunEndReason,
  RunPlan,
  RunSummary,
  TaskComparison,
  TaskResult,
  TaskStatus,
} from './types.js';

export interface GithubReporterOptions {
  /** Where the annotations (workflow commands) are written. @default process.stdout */
  stdout?: Writable;
  /** The Markdown job summary is appended to this file. @default process.env.GITHUB_STEP_SUMMARY (unset: no summary) */
  summaryFile?: string;
  /** The project root that suites' eval files are relative to. @default process.cwd() */
  cwd?: string;
  /** The repository root that annotation paths must be relative to. @default process.env.GITHUB_WORKSPACE, else `cwd` */
  workspace?: string;
  /**
   * Error and warning annotations at most; the rest are counted in one notice. GitHub shows at most
   * 10 errors and 10 warnings per step. @default 10
   */
  maxAnnotations?: number;
}

/** Failing tasks listed in the job summary; every failing task is counted, only these are kept. */
const LISTED_FAILURES = 20;
/** Baseline verdicts listed in the job summary (regressions first). */
const LISTED_VERDICTS = 50;
const MESSAGE_LIMIT = 240;

/** What is kept of a failed or errored task: its place in the order and a short message. */
interface Failure {
  suite: string;
  suiteOrder: number;
  taskId: string;
  trial: number;
  status: Exclude<TaskStatus, 'passed'>;
  reward: number;
  steps: number;
  kind?: ErrorKind;
  code?: string;
  message?: string;
}

interface Annotation {
  level: 'error' | 'warning';
  file?: string;
  title: string;
  message: string;
}

const REASON_LINE: Record<RunEndReason, string> = {
  passed: '✅ Every task passed',
  failed: '❌ Some tasks failed',
  errored: '⚠️ Infrastructure errors',
  interrupted: '⏹️ Interrupted',
};

/**
 * For GitHub Actions: annotations on the eval files for failed and errored tasks, failed gates and
 * regressions (written to stdout as workflow commands, at most `maxAnnotations`, then one notice
 * with the count of the rest), and a Markdown job summary appended to GITHUB_STEP_SUMMARY: regressions
 * first, failed gates, a table of suites and the first failing tasks. Only failing tasks' short
 * messages are kept, and only the first few of them in the report's order.
 */
export class GithubReporter implements Reporter {
  readonly #stdout: Writable;
  readonly #summaryFile: string | undefined;
  readonly #cwd: string;
  readonly #workspace: string;
  readonly #maxAnnotations: number;
  #suites = new SuiteTable();
  #order = new Map<string, number>();
  #failures: Failure[] = [];
  #failureCount = 0;

  constructor(options: GithubReporterOptions = {}) {
    this.#stdout = options.stdout ?? process.stdout;
    this.#summaryFile = options.summaryFile ?? (process.env.GITHUB_STEP_SUMMARY || undefined);
    this.#cwd = resolve(options.cwd ?? process.cwd());
    this.#workspace = resolve(options.workspace ?? (process.env.GITHUB_WORKSPACE || this.#cwd));
    this.#maxAnnotations = options.maxAnnotations ?? 10;
  }

  onRunStart(plan: Readonly<RunPlan>): void {
    this.#suites = new SuiteTable(plan);
    this.#order = new Map(plan.suites.map((s, i) => [s.name, i]));
    this.#failures = [];
    this.#failureCount = 0;
  }

  onTaskEnd(result: Readonly<TaskResult>): void {
    this.#suites.add(result);
    if (result.status === 'passed') return;
    this.#failureCount += 1;
    if (!this.#order.has(result.suite)) this.#order.set(result.suite, this.#order.size);
    const failure: Failure = {
      suite: result.suite,
      suiteOrder: this.#order.get(result.suite) as number,
      taskId: result.taskId,
      trial: result.trial,
      status: result.status,
      reward: result.reward,
      steps: result.steps,
    };
    if (result.status === 'errored' && result.error) {
      failure.kind = result.error.kind;
      if (result.error.code) failure.code = result.error.code;
      failure.message = shorten(result.error.message);
    }
    // Keep the first few in report order (suite, task id, trial), not in arrival order,
    // which depends on concurrency: insert in place, drop the last.
    const list = this.#failures;
    let at = list.length;
    while (at > 0 && compareFailures(failure, list[at - 1] as Failure) < 0) at -= 1;
    const keep = Math.max(LISTED_FAILURES, this.#maxAnnotations);
    if (at >= keep) return;
    list.splice(at, 0, failure);
    if (list.length > keep) list.pop();
  }

  async onRunEnd(summary: Readonly<RunSummary>, reason: RunEndReason): Promise<void> {
    const suites = this.#suites.list(summary);
    this.#writeAnnotations(summary, suites);
    if (!this.#summaryFile) return;
    await mkdir(dirname(this.#summaryFile), { recursive: true });
    await appendFile(this.#summaryFile, this.#markdown(summary, reason, suites));
  }

  #writeAnnotations(summary: Readonly<RunSummary>, suites: SuiteView[]): void {
    const files = new Map(suites.map((s) => [s.name, this.#annotationPath(s.file)]));
    const several = new Map(suites.map((s) => [s.name, s.tally.maxTrial > 0]));
    const annotations: Annotation[] = [];
    for (const gate of summary.gates ?? []) {
      annotations.push({
        level: 'error',
        file: files.get(gate.suite),
        title: `Gate failed: ${gate.suite}${gate.taskId === undefined ? '' : ` › ${gate.taskId}`} (${gate.gate})`,
        message: gate.message,
      });
    }
    const comparison = summary.comparison;
    for (const task of comparison?.tasks ?? []) {
      if (task.verdict !== 'regressed') continue;
      annotations.push({
        level: 'error',
        file: files.get(task.suite),
        title: `Regressed: ${task.suite} › ${task.taskId}`,
        message: `${describeChange(task)}${task.pValue === undefined ? '' : `, p = ${formatPValue(task.pValue)}`} (${comparison?.test.name})`,
      });
    }
    for (const f of this.#failures) {
      const label = `${f.suite} › ${f.taskId}${several.get(f.suite) ? ` [trial ${f.trial}]` : ''}`;
      const pass = this.#suites.get(f.suite)?.pass;
      if (f.status === 'failed') {
        annotations.push({
          level: 'error',
          file: files.get(f.suite),
          title: `Failed: ${label}`,
          message: `reward ${formatNumber(f.reward)}${pass === undefined ? ' is below the pass threshold' : ` < ${formatNumber(pass)}`} after ${f.steps} steps`,
        });
      } else {
        // infrastructure and environment failures are not the agent's doing: flagged, but as warnings
        const level = f.kind === 'infra' || f.kind === 'env' ? 'warning' : 'error';
        annotations.push({
          level,
          file: files.get(f.suite),
          title: `Errored (${f.kind ?? 'unknown'}): ${label}`,
          message: `${f.code ? `${f.code}: ` : ''}${f.message ?? 'no error message'}`,
        });
      }
    }
    const total = (summary.gates?.length ?? 0) + (comparison?.counts.regressed ?? 0) + this.#failureCount;
    const shown = annotations.slice(0, this.#maxAnnotations);
    let text = shown.map(command).join('');
    if (total > shown.length) {
      text += command({
        level: 'notice',
        title: 'sandbox-eval',
        message: `${total - shown.length} more failures not annotated (showing the first ${shown.length} of ${total}); see the job summary or the JSON report.`,
      });
    }
    if (text) this.#stdout.write(text);
  }

  /** The eval file relative to the repository root, when it is known and inside it. */
  #annotationPath(file: string | undefined): string | undefined {
    if (!file) return undefined;
    const path = relative(this.#workspace, resolve(this.#cwd, file));
    if (path === '' || path.startsWith('..') || isAbsolute(path)) return undefined;
    return path.split(sep).join('/');
  }

  #markdown(summary: Readonly<RunSummary>, reason: RunEndReason, suites: SuiteView[]): string {
    const s = summary.summary;
    const lines: string[] = [
      `## sandbox-eval: ${REASON_LINE[reason] ?? reason}`,
      '',
      `**${s.tasks} ${s.tasks === 1 ? 'task' : 'tasks'}**: ${s.passed} passed, ${s.failed} failed, ${s.errored} errored · mean reward ${formatNumber(s.meanReward)} · ${formatDuration(summary.durationMs)}` +
        `${summary.retries ? ` · ${summary.retries} infrastructure ${summary.retries === 1 ? 'retry' : 'retries'}` : ''} · run \`${inlineCode(summary.runId)}\``,
      '',
    ];
    if (summary.comparison) lines.push(...comparisonSection(summary.comparison));
    if (summary.gates && summary.gates.length > 0) lines.push(...gatesSection(summary.gates));
    lines.push(...suitesSection(summary, suites));
    if (this.#failureCount > 0) lines.push(...this.#failuresSection(suites));
    return `${lines.join('\n')}\n`;
  }

  #failuresSection(suites: SuiteView[]): string[] {
    const several = new Map(suites.map((s) => [s.name, s.tally.maxTrial > 0]));
    const lines = [
      `### Failing tasks (${this.#failureCount})`,
      '',
      '| Suite | Task | Status | Reward | Steps | Error |',
      '| --- | --- | --- | ---: | ---: | --- |',
    ];
    for (const f of this.#failures.slice(0, LISTED_FAILURES)) {
      const task = `${f.taskId}${several.get(f.suite) ? ` [trial ${f.trial}]` : ''}`;
      const error = f.status === 'errored' ? `${f.kind ?? 'unknown'}${f.code ? ` (${f.code})` : ''}: ${f.message ?? ''}` : '';
      lines.push(`| ${cell(f.suite)} | ${cell(task)} | ${f.status} | ${formatNumber(f.reward)} | ${f.steps} | ${cell(error)} |`);
    }
    const listed = Math.min(LISTED_FAILURES, this.#failures.length);
    if (this.#failureCount > listed) {
      lines.push('', `…and ${this.#failureCount - listed} more; the JSON and HTML reports list every task.`);
    }
    lines.push('');
    return lines;
  }
}

function compareFailures(a: Failure, b: Failure): number {
  return a.suiteOrder - b.suiteOrder || compareTasks(a, b);
}

function comparisonSection(comparison: BaselineComparison): string[] {
  const { counts, test } = comparison;
  const changed = comparison.tasks.filter((t) => t.verdict !== 'unchanged');
  const ordered = [...changed].sort((a, b) => VERDICT_RANK[a.verdict] - VERDICT_RANK[b.verdict]);
  const lines = [
    counts.regressed > 0 ? `### ❌ Regressions (${counts.regressed})` : '### Baseline comparison: no regression',
    '',
    `Compared with \`${inlineCode(comparison.baseline)}\`: ${counts.regressed} regressed, ${counts.improved} improved, ${counts.new} new, ${counts.missing} missing, ${counts.unchanged} unchanged. ` +
      `${cell(test.name)} (α = ${formatNumber(test.alpha)}, minimum effect ${formatNumber(test.minEffect)}): ${cell(test.description)}`,
    '',
  ];
  if (ordered.length > 0) {
    lines.push('| Verdict | Suite | Task | Baseline | Current | p |', '| --- | --- | --- | --- | --- | ---: |');
    for (const t of ordered.slice(0, LISTED_VERDICTS)) {
      lines.push(
        `| ${VERDICT_LABEL[t.verdict]} | ${cell(t.suite)} | ${cell(t.taskId)} | ${side(t.baseline)} | ${side(t.current)} | ${t.pValue === undefined ? '–' : cell(formatPValue(t.pValue))} |`,
      );
    }
    if (ordered.length > LISTED_VERDICTS) lines.push('', `…and ${ordered.length - LISTED_VERDICTS} more changed tasks; the JSON report lists them all.`);
    lines.push('');
  }
  return lines;
}

const VERDICT_RANK: Record<TaskComparison['verdict'], number> = { regressed: 0, improved: 1, new: 2, missing: 3, unchanged: 4 };
const VERDICT_LABEL: Record<TaskComparison['verdict'], string> = {
  regressed: '❌ regressed',
  improved: '✅ improved',
  new: '🆕 new',
  missing: '➖ missing',
  unchanged: 'unchanged',
};

function side(s: TaskComparison['baseline']): string {
  return s ? `${formatNumber(s.meanReward)} (${s.passes}/${s.trials} passed)` : '–';
}

function describeChange(t: TaskComparison): string {
  return `mean reward ${t.baseline ? formatNumber(t.baseline.meanReward) : '–'} → ${t.current ? formatNumber(t.current.meanReward) : '–'}` +
    ` (passed ${t.baseline ? `${t.baseline.passes}/${t.baseline.trials}` : '–'} → ${t.current ? `${t.current.passes}/${t.current.trials}` : '–'})`;
}

function gatesSection(gates: readonly GateFailure[]): string[] {
  const lines = [`### ❌ Failed gates (${gates.length})`, ''];
  for (const g of gates) {
    lines.push(`- **${cell(g.suite)}${g.taskId === undefined ? '' : ` › ${cell(g.taskId)}`}** \`${inlineCode(g.gate)}\`: ${formatNumber(g.actual)} (needs ${formatNumber(g.expected)}). ${cell(g.message)}`);
  }
  lines.push('');
  return lines;
}

function suitesSection(summary: Readonly<RunSummary>, suites: SuiteView[]): string[] {
  const metrics = new Map(summary.suites.map((s) => [s.name, s.metrics]));
  const lines = [
    '### Suites',
    '',
    '| Suite | Tasks | Passed | Failed | Errored | Mean reward (95% CI) | Trials | pass@k | pass^k |',
    '| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |',
  ];
  for (const suite of suites) {
    const m = metrics.get(suite.name);
    const s = suite.summary;
    const mean = m
      ? `${formatNumber(m.meanReward)} (${formatNumber(m.meanRewardCI95[0])}–${formatNumber(m.meanRewardCI95[1])})`
      : formatNumber(s.meanReward);
    lines.push(
      `| ${cell(suite.name)} | ${s.tasks} | ${s.passed} | ${s.failed} | ${s.errored} | ${mean} | ${m ? m.trials : suite.tally.maxTrial + 1} | ` +
        `${m ? formatPercent(m.passAtK) : '–'} | ${m ? formatPercent(m.passHatK) : '–'} |`,
    );
  }
  lines.push('');
  return lines;
}

// C0 controls other than tab, LF and CR, and DEL: they would reach the log and the page raw.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

function shorten(text: string): string {
  const line = text.replace(CONTROL, '\uFFFD').replace(/\s+/g, ' ').trim();
  return line.length > MESSAGE_LIMIT ? `${line.slice(0, MESSAGE_LIMIT - 1)}…` : line;
}

/**
 * Text for a Markdown table cell or list item: no line breaks, `|` and Markdown's punctuation
 * backslash-escaped, and `<`, `>`, `&` as entities so no HTML from a task reaches the page.
 */
export function cell(text: string): string {
  return text
    .replace(CONTROL, '\uFFFD')
    .replace(/\s+/g, ' ')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Text inside a single-backtick code span: backticks and line breaks cannot appear in one. */
function inlineCode(text: string): string {
  return text.replace(/`/g, "'").replace(/\s+/g, ' ');
}

/** One workflow command line, escaped the way the runner unescapes it. */
function command(a: { level: 'error' | 'warning' | 'notice'; file?: string; title: string; message: string }): string {
  const properties = [...(a.file ? [`file=${escapeProperty(a.file)}`] : []), `title=${escapeProperty(a.title)}`].join(',');
  return `::${a.level} ${properties}::${escapeData(a.message)}\n`;
}

/** The message part: `%`, CR and LF are percent-encoded (other control characters are replaced). */
export function escapeData(text: string): string {
  return text.replace(CONTROL, '\uFFFD').replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value: as the message, plus `:` and `,`, which separate properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
