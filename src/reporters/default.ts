import type { Writable } from 'node:stream';
import { SuiteTable, type SuiteView } from './suites.js';
import type { PlannedTask, Reporter, RunEndReason, RunPlan, RunSummary, TaskResult } from './types.js';

type TerminalStream = Writable & { isTTY?: boolean; columns?: number };

export interface DefaultReporterOptions {
  /** Progress, suite lines and the closing summary. @default process.stdout */
  stdout?: TerminalStream;
  /** Failed and errored tasks, as they finish and in the closing list. @default process.stderr */
  stderr?: Writable;
  /** Draw a live progress line redrawn in place. @default stdout.isTTY */
  isTTY?: boolean;
  /** ANSI colours. @default on when FORCE_COLOR is set (and not 0), off when NO_COLOR is, else isTTY */
  color?: boolean;
  /** Also print a line for every passed task. @default false */
  verbose?: boolean;
}

/** Redraws of the progress line per second, at most. */
const REDRAWS_PER_SECOND = 10;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Errored tasks kept for the closing list; the JSON report has them all. */
const MAX_LISTED_ERRORS = 20;
const MAX_MESSAGE = 160;
const CLEAR_LINE = '\r\x1b[2K';

interface ListedError {
  label: string;
  kind: string;
  message: string;
}

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';
const STYLES: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

/**
 * The terminal reporter. On a TTY it keeps one progress line redrawn in place (throttled), printing
 * finished failures above it; elsewhere (CI logs) it prints plain lines only: one per failed or errored
 * task and one per finished suite. At the end it prints a table per suite, a totals line and the
 * errored tasks with their kind and message.
 */
export class DefaultReporter implements Reporter {
  readonly #stdout: TerminalStream;
  readonly #stderr: Writable;
  readonly #live: boolean;
  readonly #color: boolean;
  readonly #verbose: boolean;

  #suites = new SuiteTable();
  #planned = 0;
  #finished = 0;
  #running = 0;
  #passed = 0;
  #failed = 0;
  #errored = 0;
  #rewardSum = 0;
  #errors: ListedError[] = [];
  #unlistedErrors = 0;
  #startedAt = performance.now();
  #frame = 0;
  #progressShown = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: DefaultReporterOptions = {}) {
    this.#stdout = options.stdout ?? process.stdout;
    this.#stderr = options.stderr ?? process.stderr;
    this.#live = options.isTTY ?? this.#stdout.isTTY === true;
    this.#color = options.color ?? colorFromEnv(this.#live);
    this.#verbose = options.verbose ?? false;
  }

  onRunStart(plan: Readonly<RunPlan>): void {
    this.#stopProgress();
    this.#suites = new SuiteTable(plan);
    this.#planned = plan.total;
    this.#finished = this.#running = this.#passed = this.#failed = this.#errored = this.#rewardSum = 0;
    this.#errors = [];
    this.#unlistedErrors = 0;
    this.#startedAt = performance.now();
    if (!this.#live) return;
    this.#renderProgress();
    // the timer drives both the throttle and the spinner; it must not keep the process alive
    this.#timer = setInterval(() => this.#renderProgress(), 1000 / REDRAWS_PER_SECOND);
    this.#timer.unref();
  }

  onTaskStart(_task: Readonly<PlannedTask>): void {
    this.#running += 1;
  }

  onTaskEnd(result: Readonly<TaskResult>): void {
    this.#running = Math.max(0, this.#running - 1);
    this.#finished += 1;
    this.#rewardSum += Number.isFinite(result.reward) ? result.reward : 0;
    this.#passed += result.status === 'passed' ? 1 : 0;
    this.#failed += result.status === 'failed' ? 1 : 0;
    this.#errored += result.status === 'errored' ? 1 : 0;
    const suite = this.#suites.add(result);

    // the label and facts only for a line that is printed: most tasks pass and print nothing
    if (result.status === 'errored') {
      const label = taskLabel(result, suite.tally.maxTrial);
      const kind = result.error?.kind ?? 'infra';
      const message = trimMessage(result.error?.message ?? 'no error message');
      if (this.#errors.length < MAX_LISTED_ERRORS) this.#errors.push({ label, kind, message });
      else this.#unlistedErrors += 1;
      this.#print(this.#stderr, `${this.#style('yellow', 'ERROR')} ${label}  ${kind}: ${message} · ${taskFacts(result)}`);
    } else if (result.status === 'failed') {
      const threshold = suite.pass === undefined ? '' : ` < ${formatReward(suite.pass)}`;
      this.#print(this.#stderr, `${this.#style('red', 'FAIL ')} ${taskLabel(result, suite.tally.maxTrial)}  reward ${formatReward(result.reward)}${threshold} · ${taskFacts(result)}`);
    } else if (this.#verbose) {
      this.#print(this.#stdout, `${this.#style('green', 'PASS ')} ${taskLabel(result, suite.tally.maxTrial)}  reward ${formatReward(result.reward)} · ${taskFacts(result)}`);
    }

    if (suite.planned !== undefined && suite.tally.tasks === suite.planned) {
      const t = suite.tally;
      const counts = this.#counts({ ...t, meanReward: t.tasks > 0 ? t.rewardSum / t.tasks : 0 });
      this.#print(this.#stdout, `${this.#style('bold', 'SUITE')} ${printable(`${suite.name} (${suite.dataset}/${suite.split})`)}  ${t.tasks} tasks · ${counts}`);
    }
  }

  onRunEnd(summary: Readonly<RunSummary>, reason: RunEndReason): void {
    this.#stopProgress();
    if (this.#errors.length > 0) {
      const lines = [`\n${this.#style('yellow', `Errored tasks (${this.#errors.length + this.#unlistedErrors}):`)}`];
      for (const e of this.#errors) lines.push(`  ${e.label}  ${e.kind}: ${e.message}`);
      if (this.#unlistedErrors > 0) lines.push(`  … and ${this.#unlistedErrors} more (the JSON reporter lists them all)`);
      this.#stderr.write(`${lines.join('\n')}\n`);
    }
    const suites = this.#suites.list(summary);
    const lines = ['', ...this.#table(suites), ...this.#trialsTable(suites), ...this.#verdicts(summary), ''];
    const total = summary.summary;
    const planned = this.#planned > total.tasks ? ` of ${this.#planned} planned` : '';
    lines.push(`${this.#style('bold', 'Tasks ')}  ${total.tasks}${planned} · ${this.#counts(total)} · ${formatDuration(summary.durationMs)}`);
    lines.push(`${this.#style('bold', 'Result')}  ${this.#reasonText(reason, summary)}`);
    this.#stdout.write(`${lines.join('\n')}\n`);
  }

  #table(suites: SuiteView[]): string[] {
    const header = ['Suite', 'Dataset/split', 'Tasks', 'Passed', 'Failed', 'Errored', 'Mean', 'Time'];
    const rows = suites.map((s) => [
      printable(s.name),
      printable(`${s.dataset}/${s.split}`),
      String(s.summary.tasks),
      String(s.summary.passed),
      String(s.summary.failed),
      String(s.summary.errored),
      s.summary.meanReward.toFixed(3),
      s.durationMs === undefined ? '-' : formatDuration(s.durationMs),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const numeric = (i: number) => i >= 2;
    const line = (cells: string[], styles: Array<Style | undefined>) =>
      cells
        .map((cell, i) => {
          const padded = numeric(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0);
          const style = styles[i];
          return style ? this.#style(style, padded) : padded;
        })
        .join('  ')
        .trimEnd();
    return [
      line(header, header.map(() => 'dim' as const)),
      ...rows.map((r, index) => {
        const s = suites[index]?.summary;
        return line(r, [undefined, undefined, undefined, undefined, s && s.failed > 0 ? 'red' : undefined, s && s.errored > 0 ? 'yellow' : undefined]);
      }),
    ];
  }

  /** Trial statistics, for suites that ran several trials per task. */
  #trialsTable(suites: SuiteView[]): string[] {
    const withTrials = suites.filter((suite) => (suite.metrics?.trials ?? 1) > 1);
    if (withTrials.length === 0) return [];
    const header = ['Suite', 'Trials', 'Pass rate', 'pass@k', 'pass^k', 'Mean [95% CI]'];
    const rows = withTrials.map((suite) => {
      const m = suite.metrics!;
      return [printable(suite.name), String(m.trials), m.passRate.toFixed(3), m.passAtK.toFixed(3), m.passHatK.toFixed(3), `${m.meanReward.toFixed(3)} [${m.meanRewardCI95[0].toFixed(3)}, ${m.meanRewardCI95[1].toFixed(3)}]`];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd();
    return ['', this.#style('dim', line(header)), ...rows.map(line)];
  }

  /** Failed gates, the baseline comparison (regressions first) and retried infrastructure errors. */
  #verdicts(summary: Readonly<RunSummary>): string[] {
    const lines: string[] = [];
    if (summary.gates?.length) {
      lines.push('', this.#style('red', `Thresholds not met (${summary.gates.length}):`));
      for (const gate of summary.gates) lines.push(`  ${printable(gate.message)}`);
    }
    const comparison = summary.comparison;
    if (comparison) {
      const c = comparison.counts;
      lines.push(
        '',
        `Compared with ${printable(comparison.baseline)} (${comparison.test.name}, alpha ${comparison.test.alpha}, min effect ${comparison.test.minEffect}):`,
        `  ${c.regressed > 0 ? this.#style('red', `${c.regressed} regressed`) : '0 regressed'} · ${c.improved} improved · ${c.unchanged} unchanged · ${c.new} new · ${c.missing} missing`,
      );
      const shown = comparison.tasks.filter((task) => task.verdict === 'regressed' || task.verdict === 'improved').slice(0, 20);
      for (const task of shown) {
        const change = `${task.baseline?.meanReward.toFixed(3)} -> ${task.current?.meanReward.toFixed(3)}`;
        const label = task.verdict === 'regressed' ? this.#style('red', 'REGRESSED') : this.#style('green', 'IMPROVED ');
        lines.push(`  ${label}  ${printable(task.suite)} › ${printable(task.taskId)}  ${change}  p=${task.pValue?.toFixed(3)}`);
      }
    }
    if (summary.retries) lines.push('', `Retried ${summary.retries} episode run(s) after infrastructure errors.`);
    return lines;
  }

  #counts(s: { passed: number; failed: number; errored: number; meanReward: number }): string {
    const failed = `${s.failed} failed`;
    const errored = `${s.errored} errored`;
    return [
      this.#style('green', `${s.passed} passed`),
      s.failed > 0 ? this.#style('red', failed) : failed,
      s.errored > 0 ? this.#style('yellow', errored) : errored,
      `mean ${s.meanReward.toFixed(3)}`,
    ].join(' · ');
  }

  /** Why the run passed or failed, in the terms that decided it (tasks, thresholds or a baseline). */
  #reasonText(reason: RunEndReason, summary: Readonly<RunSummary>): string {
    const regressed = summary.comparison?.counts.regressed ?? 0;
    switch (reason) {
      case 'passed':
        if (summary.summary.failed + summary.summary.errored === 0) return this.#style('green', 'every task passed');
        return this.#style('green', summary.comparison ? 'passed: no regression against the baseline' : 'passed: every suite met its thresholds');
      case 'failed':
        if (summary.gates?.length) return this.#style('red', `failed: ${summary.gates.length} threshold(s) not met`);
        if (regressed > 0) return this.#style('red', `failed: ${regressed} task(s) regressed against the baseline`);
        return this.#style('red', 'some tasks failed');
      case 'errored':
        return this.#style('yellow', 'infrastructure errors: a sandbox or an environment failed');
      case 'interrupted':
        return this.#style('yellow', 'interrupted before every task finished');
    }
  }

  /** Prints whole lines, lifting the progress line out of the way and putting it back after. */
  #print(stream: Writable, line: string): void {
    this.#clearProgress();
    stream.write(`${line}\n`);
    if (this.#timer) this.#renderProgress();
  }

  #renderProgress(): void {
    const elapsed = performance.now() - this.#startedAt;
    const spinner = SPINNER[this.#frame++ % SPINNER.length] ?? '';
    const mean = this.#finished > 0 ? this.#rewardSum / this.#finished : 0;
    const parts: Array<[string, Style | undefined]> = [
      [`${spinner} `, 'cyan'],
      [`${this.#finished}/${this.#planned} tasks`, undefined],
      ...(this.#running > 0 ? [[` · ${this.#running} running`, 'dim'] as [string, Style]] : []),
      [` · ${this.#passed} passed`, 'green'],
      [` · ${this.#failed} failed`, this.#failed > 0 ? 'red' : undefined],
      [` · ${this.#errored} errored`, this.#errored > 0 ? 'yellow' : undefined],
      [` · mean ${mean.toFixed(2)} · ${formatDuration(elapsed)}`, undefined],
    ];
    // A line wider than the terminal wraps, and `\r` then only clears its last row: cut it short.
    let room = Math.max(10, (this.#stdout.columns ?? 80) - 1);
    let line = CLEAR_LINE;
    for (const [part, style] of parts) {
      if (room <= 0) break;
      const shown = [...part].slice(0, room).join('');
      room -= [...shown].length;
      line += style ? this.#style(style, shown) : shown;
    }
    this.#stdout.write(line);
    this.#progressShown = true;
  }

  #clearProgress(): void {
    if (!this.#progressShown) return;
    this.#stdout.write(CLEAR_LINE);
    this.#progressShown = false;
  }

  #stopProgress(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clearProgress();
  }

  #style(style: Style, value: string): string {
    if (!this.#color) return value;
    const [open, close] = STYLES[style];
    return `\x1b[${open}m${value}\x1b[${close}m`;
  }
}

/** FORCE_COLOR wins over NO_COLOR, as in Node itself; with neither, colour follows the terminal. */
function colorFromEnv(isTTY: boolean): boolean {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (process.env.NO_COLOR) return false;
  return isTTY;
}

/** `suite › task`, with the trial when the suite runs several. */
function taskLabel(result: Readonly<TaskResult>, maxTrial: number): string {
  return `${printable(result.suite)} › ${printable(result.taskId)}${result.trial > 0 || maxTrial > 0 ? ` [trial ${result.trial}]` : ''}`;
}

function taskFacts(result: Readonly<TaskResult>): string {
  return `${result.steps} steps · ${formatDuration(result.durationMs)}`;
}

/** A reward as written by a person: up to three decimals, no trailing zeros. */
function formatReward(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 1000) / 1000) : String(value);
}

/** `850ms`, `12.3s`, `2m 05.1s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m ${((ms - minutes * 60_000) / 1000).toFixed(1).padStart(4, '0')}s`;
}

// Control characters (C0, DEL, C1) from task ids or messages could move the cursor or restyle the
// terminal; they are shown as U+FFFD instead.
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;

function printable(value: string): string {
  return value.replace(CONTROL, '\uFFFD');
}

/** One line, at most MAX_MESSAGE characters: enough to recognise an error in a terminal. */
function trimMessage(message: string): string {
  const flat = printable(message.replace(/\s+/g, ' ').trim());
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE - 1)}…` : flat;
}
