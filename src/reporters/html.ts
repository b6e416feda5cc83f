import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { formatDuration as duration, formatNumber as num, formatPercent as pct, formatPValue } from './format.js';
import { CLIENT_SCRIPT, STYLES } from './html-assets.js';
import { ReportOutput } from './output.js';
import { ResultSpool } from './spool.js';
import { SuiteTable, type SuiteView } from './suites.js';
import type {
  BaselineComparison,
  GateFailure,
  Reporter,
  RunEndReason,
  RunPlan,
  RunSummary,
  SuiteMetrics,
  TaskComparison,
  TaskResult,
  TaskStatus,
  Verdict,
} from './types.js';

export interface HtmlReporterOptions {
  /** The HTML file; written atomically, missing folders are created. @default `sandbox-eval-report.html` in `cwd` */
  outputFile?: string;
  /** The folder the default file goes in. @default process.cwd() */
  cwd?: string;
  /** Where the one line naming the written file goes (stdout may carry another reporter's document). @default process.stderr */
  stderr?: Writable;
}

export const DEFAULT_HTML_REPORT = 'sandbox-eval-report.html';

/** Error messages in the task table are cut here; the trajectory view shows them whole. */
const ROW_MESSAGE_LIMIT = 300;
const HISTOGRAM_BINS = 10;

// The page allows only its own script (by hash) and no network at all, so even text that slipped past
// escaping could neither run nor phone home.
const SCRIPT_HASH = createHash('sha256').update(CLIENT_SCRIPT).digest('base64');
const CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_HASH}'; img-src data:`;

/** Rewards and statuses of one suite, for its histogram: numbers only, never trajectories. */
interface Samples {
  rewards: number[];
  statuses: TaskStatus[];
}

/**
 * Writes one self-contained HTML file (inline CSS, script and SVG; no network) with per-suite charts
 * and metrics, the baseline verdicts and failed gates, a sortable and filterable table of tasks, and
 * every task's trajectory step by step. Like the JSON reporter, finished tasks are spooled to a file
 * as they arrive and streamed out at the end: a table row and a trajectory record per task, the
 * latter embedded as its own JSON block that the page parses only when the task is opened.
 */
export class HtmlReporter implements Reporter {
  readonly #outputFile: string;
  readonly #stderr: Writable;
  #spool: ResultSpool;
  #suites = new SuiteTable();
  #samples = new Map<string, Samples>();
  #seq = 0;

  constructor(options: HtmlReporterOptions = {}) {
    this.#outputFile = resolve(options.cwd ?? process.cwd(), options.outputFile ?? DEFAULT_HTML_REPORT);
    this.#stderr = options.stderr ?? process.stderr;
    this.#spool = new ResultSpool({ nextTo: this.#outputFile });
  }

  /** The absolute path of the file this reporter writes. */
  get outputFile(): string {
    return this.#outputFile;
  }

  async onRunStart(plan: Readonly<RunPlan>): Promise<void> {
    // a reporter may serve several runs (watch mode): each starts clean
    await this.#spool.remove();
    this.#spool = new ResultSpool({ nextTo: this.#outputFile });
    this.#suites = new SuiteTable(plan);
    this.#samples = new Map();
    this.#seq = 0;
    // a bad output path should fail before the run, not after it
    await mkdir(dirname(this.#outputFile), { recursive: true });
  }

  async onTaskEnd(result: Readonly<TaskResult>): Promise<void> {
    this.#suites.add(result);
    let samples = this.#samples.get(result.suite);
    if (!samples) this.#samples.set(result.suite, (samples = { rewards: [], statuses: [] }));
    samples.rewards.push(Number.isFinite(result.reward) ? result.reward : 0);
    samples.statuses.push(result.status);

    // The sequence number ties a row to its trajectory block, whatever order the spool reads them in.
    const seq = this.#seq++;
    const row: Record<string, unknown> = {
      seq,
      taskId: result.taskId,
      trial: result.trial,
      status: result.status,
      reward: result.reward,
      steps: result.steps,
      durationMs: result.durationMs,
    };
    if (result.status === 'errored' && result.error) {
      row.error = { ...result.error, message: shorten(result.error.message, ROW_MESSAGE_LIMIT) };
    }
    // `seq` first: the writer reads it back from the record's start without parsing the trajectory
    const detail: Record<string, unknown> = { seq, trajectory: result.trajectory };
    if (result.evaluation) detail.evaluation = result.evaluation;
    if (result.status === 'errored' && result.error) detail.error = result.error;
    await Promise.all([
      this.#spool.append(rowsKey(result.suite), result, row),
      this.#spool.append(detailsKey(result.suite), result, detail),
    ]);
  }

  async onRunEnd(summary: Readonly<RunSummary>, reason: RunEndReason): Promise<void> {
    try {
      // always a file here, so the stream argument is never written to
      await ReportOutput.writeDocument({ outputFile: this.#outputFile, stdout: this.#stderr }, (output) => this.#writePage(output, summary, reason));
    } finally {
      await this.#spool.remove();
    }
    this.#stderr.write(`HTML report: ${this.#outputFile}\n`);
  }

  async #writePage(output: ReportOutput, summary: Readonly<RunSummary>, reason: RunEndReason): Promise<void> {
    const suites = this.#suites.list(summary);
    const metrics = new Map(summary.suites.map((s) => [s.name, s.metrics]));
    await output.write(
      `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
        `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
        `<meta http-equiv="Content-Security-Policy" content="${CSP}">\n` +
        `<title>sandbox-eval report · ${esc(summary.runId)}</title>\n<style>${STYLES}</style>\n</head>\n<body>\n`,
    );
    await output.write(renderHeader(summary, reason));
    await output.write('<main>\n');
    if (summary.gates && summary.gates.length > 0) await output.write(renderGates(summary.gates));
    if (summary.comparison) await output.write(renderComparison(summary.comparison));
    await output.write('<section class="suites" aria-label="Suites">\n');
    for (const suite of suites) {
      await output.write(renderSuite(suite, metrics.get(suite.name), this.#samples.get(suite.name)));
    }
    await output.write('</section>\n');
    await output.write(TASKS_SECTION);
    await output.write('</main>\n');
    await output.write(DRAWER);

    const index = suites.map((s) => ({ name: s.name, dataset: s.dataset, split: s.split, file: s.file, pass: s.pass }));
    await output.write(`<script type="application/json" id="se-suites">${scriptJson(JSON.stringify(index))}</script>\n`);
    for (const [i, suite] of suites.entries()) {
      await output.write(`<script type="application/json" id="se-rows-${i}">[`);
      let first = true;
      for await (const row of this.#spool.read(rowsKey(suite.name))) {
        await output.write(`${first ? '' : ',\n'}${scriptJson(row)}`);
        first = false;
      }
      await output.write(']</script>\n');
    }
    for (const suite of suites) {
      for await (const detail of this.#spool.read(detailsKey(suite.name))) {
        const seq = /^\{"seq":(\d+)/.exec(detail)?.[1];
        await output.write(`<script type="application/json" id="se-t-${seq}">${scriptJson(detail)}</script>\n`);
      }
    }
    await output.write(`<script>${CLIENT_SCRIPT}</script>\n</body>\n</html>\n`);
  }
}

// Rows and trajectories are spooled as two groups per suite, so each can be streamed out on its own.
const rowsKey = (suite: string) => `rows\u0000${suite}`;
const detailsKey = (suite: string) => `trajectories\u0000${suite}`;

/**
 * JSON made safe inside `<script type="application/json">`: in JSON text `<` can only sit inside a
 * string, where `\u003c` means the same, so no `</script>` or `<!--` can end or bend the block.
 */
export function scriptJson(json: string): string {
  return json.replace(/</g, '\\u003c');
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

function shorten(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

function taskLink(suite: string, taskId: string, trial?: number): string {
  const hash = `task=${encodeURIComponent(taskId)}&suite=${encodeURIComponent(suite)}${trial === undefined ? '' : `&trial=${trial}`}`;
  return `#${esc(hash)}`;
}

// ---- server-rendered parts (they show without the script, too) ----

const REASON_TEXT: Record<RunEndReason, string> = {
  passed: 'Every task passed',
  failed: 'Some tasks failed',
  errored: 'Infrastructure errors',
  interrupted: 'Interrupted',
};

function renderHeader(summary: Readonly<RunSummary>, reason: RunEndReason): string {
  const s = summary.summary;
  const passRate = s.tasks > 0 ? s.passed / s.tasks : 0;
  const facts = [
    `run <code>${esc(summary.runId)}</code>`,
    `started ${esc(summary.startedAt)}`,
    `took ${esc(duration(summary.durationMs))}`,
    ...(summary.retries ? [`${summary.retries} infrastructure ${summary.retries === 1 ? 'retry' : 'retries'}`] : []),
  ];
  return (
    `<header class="run">\n<div class="run-title"><h1>sandbox-eval report</h1>` +
    `<span class="verdict ${esc(reason)}">${esc(REASON_TEXT[reason] ?? reason)}</span></div>\n` +
    `<p class="facts">${facts.join(' · ')}</p>\n<div class="tiles">` +
    tile('Tasks', String(s.tasks)) +
    tile('Passed', String(s.passed), 'passed') +
    tile('Failed', String(s.failed), 'failed') +
    tile('Errored', String(s.errored), 'errored') +
    tile('Pass rate', pct(passRate)) +
    tile('Mean reward', num(s.meanReward)) +
    `</div>\n${statusBar(s.passed, s.failed, s.errored, 'run')}\n</header>\n`
  );
}

function tile(label: string, value: string, tone = '', hint = ''): string {
  return `<div class="tile ${tone}"><div class="tile-value">${esc(value)}</div><div class="tile-label">${esc(label)}</div>${hint ? `<div class="tile-hint">${esc(hint)}</div>` : ''}</div>`;
}

/** A 100% bar split into passed, failed and errored. */
function statusBar(passed: number, failed: number, errored: number, label: string): string {
  const total = passed + failed + errored;
  if (total === 0) return '<div class="status-bar empty" role="img" aria-label="no finished tasks"></div>';
  const part = (n: number, tone: string) =>
    n > 0 ? `<span class="${tone}" style="flex-grow:${n}" title="${n} ${tone} (${pct(n / total)})"></span>` : '';
  return (
    `<div class="status-bar" role="img" aria-label="${esc(label)}: ${passed} passed, ${failed} failed, ${errored} errored">` +
    `${part(passed, 'passed')}${part(failed, 'failed')}${part(errored, 'errored')}</div>`
  );
}

function renderGates(gates: readonly GateFailure[]): string {
  const items = gates
    .map(
      (g) =>
        `<li><strong>${esc(g.suite)}${g.taskId === undefined ? '' : ` › <a href="${taskLink(g.suite, g.taskId)}">${esc(g.taskId)}</a>`}</strong>` +
        ` <code>${esc(g.gate)}</code>: ${esc(num(g.actual))} (needs ${esc(num(g.expected))})<div class="gate-message">${esc(g.message)}</div></li>`,
    )
    .join('\n');
  return `<section class="panel gates" id="gates"><h2>Failed gates <span class="count">${gates.length}</span></h2>\n<ul>${items}</ul></section>\n`;
}

const VERDICT_ORDER: Record<Verdict, number> = { regressed: 0, improved: 1, new: 2, missing: 3, unchanged: 4 };

function renderComparison(comparison: BaselineComparison): string {
  const { test, counts } = comparison;
  const chips = (Object.keys(VERDICT_ORDER) as Verdict[])
    .map((v) => `<span class="chip ${v}">${counts[v] ?? 0} ${v}</span>`)
    .join(' ');
  const ordered = [...comparison.tasks].sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict]);
  const notable = ordered.filter((t) => t.verdict !== 'unchanged');
  const unchanged = ordered.filter((t) => t.verdict === 'unchanged');
  const head =
    '<thead><tr><th>Verdict</th><th>Suite</th><th>Task</th><th>Baseline</th><th>Current</th><th>Δ mean reward</th><th>p</th></tr></thead>';
  const table = (tasks: TaskComparison[]) => `<table class="compare">${head}<tbody>${tasks.map(comparisonRow).join('\n')}</tbody></table>`;
  return (
    `<section class="panel comparison" id="comparison"><h2>Compared with baseline</h2>\n` +
    `<p class="facts">baseline <code>${esc(comparison.baseline)}</code></p>\n<p>${chips}</p>\n` +
    `<p class="test">${esc(test.name)}, α = ${esc(num(test.alpha))}, minimum effect ${esc(num(test.minEffect))}. ${esc(test.description)}</p>\n` +
    (notable.length > 0 ? table(notable) : '<p>No task changed beyond noise.</p>') +
    (unchanged.length > 0 ? `\n<details><summary>${unchanged.length} unchanged</summary>${table(unchanged)}</details>` : '') +
    '</section>\n'
  );
}

function comparisonRow(t: TaskComparison): string {
  const side = (s?: { trials: number; meanReward: number; passes: number }) =>
    s ? `${esc(num(s.meanReward))} <span class="muted">(${s.passes}/${s.trials} passed)</span>` : '<span class="muted">–</span>';
  const delta = t.baseline && t.current ? t.current.meanReward - t.baseline.meanReward : undefined;
  return (
    `<tr class="${t.verdict}"><td><span class="chip ${t.verdict}">${t.verdict}</span></td><td>${esc(t.suite)}</td>` +
    `<td><a href="${taskLink(t.suite, t.taskId)}">${esc(t.taskId)}</a></td><td>${side(t.baseline)}</td><td>${side(t.current)}</td>` +
    `<td class="num">${delta === undefined ? '–' : `${delta > 0 ? '+' : ''}${esc(num(delta))}`}</td>` +
    `<td class="num">${t.pValue === undefined ? '–' : esc(formatPValue(t.pValue))}</td></tr>`
  );
}

function renderSuite(suite: SuiteView, metrics: SuiteMetrics | undefined, samples: Samples | undefined): string {
  const s = suite.summary;
  const passRate = metrics?.passRate ?? (s.tasks > 0 ? s.passed / s.tasks : 0);
  const k = metrics?.trials ?? suite.tally.maxTrial + 1;
  const tiles = [
    tile(metrics && metrics.trials > 1 ? 'Episodes' : 'Tasks', String(s.tasks), '', metrics && metrics.trials > 1 ? `${metrics.taskCount} tasks × ${metrics.trials} trials` : ''),
    tile('Passed', String(s.passed), 'passed'),
    tile('Failed', String(s.failed), 'failed'),
    tile('Errored', String(s.errored), 'errored'),
    tile('Pass rate', pct(passRate)),
    tile('Mean reward', num(metrics?.meanReward ?? s.meanReward), '', metrics ? `95% CI ${num(metrics.meanRewardCI95[0])}–${num(metrics.meanRewardCI95[1])}` : ''),
    ...(metrics ? [tile(`pass@${k}`, pct(metrics.passAtK)), tile(`pass^${k}`, pct(metrics.passHatK))] : []),
  ].join('');
  const where = [
    `dataset <code>${esc(suite.dataset)}</code>`,
    `split <code>${esc(suite.split)}</code>`,
    ...(suite.file ? [`<code>${esc(suite.file)}</code>`] : []),
    ...(suite.pass !== undefined ? [`passes at reward ≥ ${esc(num(suite.pass))}`] : []),
    ...(suite.durationMs !== undefined ? [`took ${esc(duration(suite.durationMs))}`] : []),
  ];
  return (
    `<article class="panel suite" data-suite="${esc(suite.name)}">\n<h2>${esc(suite.name)}</h2>\n<p class="facts">${where.join(' · ')}</p>\n` +
    `<div class="tiles">${tiles}</div>\n<div class="charts">` +
    `<figure><figcaption>Reward distribution${LEGEND}</figcaption>${histogram(samples, suite.pass)}</figure>` +
    `<figure><figcaption>Rates</figcaption>${rates(suite, metrics, passRate, k)}</figure>` +
    `</div>\n</article>\n`
  );
}

const TONES: TaskStatus[] = ['passed', 'failed', 'errored'];
const LEGEND = `<span class="legend">${TONES.map((t) => `<span><i class="${t}"></i>${t}</span>`).join('')}</span>`;

/** A histogram of rewards over [min(0, lowest), max(1, highest)], bars stacked by status. */
function histogram(samples: Samples | undefined, pass: number | undefined): string {
  const width = 340;
  const height = 180;
  // the top margin holds the threshold's label above the tallest bar's count
  const m = { left: 34, right: 10, top: 28, bottom: 30 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const n = samples?.rewards.length ?? 0;
  if (!samples || n === 0) {
    return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="no rewards yet"><text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="axis">no finished tasks</text></svg>`;
  }
  let lo = 0;
  let hi = 1;
  for (const r of samples.rewards) {
    lo = Math.min(lo, r);
    hi = Math.max(hi, r);
  }
  const bins = Array.from({ length: HISTOGRAM_BINS }, () => ({ passed: 0, failed: 0, errored: 0 }));
  for (let i = 0; i < n; i += 1) {
    const r = samples.rewards[i] as number;
    const bin = Math.min(HISTOGRAM_BINS - 1, Math.floor(((r - lo) / (hi - lo)) * HISTOGRAM_BINS));
    (bins[bin] as Record<TaskStatus, number>)[samples.statuses[i] as TaskStatus] += 1;
  }
  const top = Math.max(1, ...bins.map((b) => b.passed + b.failed + b.errored));
  const barW = plotW / HISTOGRAM_BINS;
  const y = (count: number) => m.top + plotH - (count / top) * plotH;
  const parts: string[] = [];
  parts.push(`<line class="grid" x1="${m.left}" x2="${width - m.right}" y1="${y(top)}" y2="${y(top)}"/>`);
  parts.push(`<line class="base" x1="${m.left}" x2="${width - m.right}" y1="${y(0)}" y2="${y(0)}"/>`);
  parts.push(`<text class="axis" x="${m.left - 6}" y="${y(top) + 4}" text-anchor="end">${top}</text>`);
  parts.push(`<text class="axis" x="${m.left - 6}" y="${y(0) + 4}" text-anchor="end">0</text>`);
  for (const [i, bin] of bins.entries()) {
    const from = lo + ((hi - lo) * i) / HISTOGRAM_BINS;
    const to = lo + ((hi - lo) * (i + 1)) / HISTOGRAM_BINS;
    let stacked = 0;
    const x = m.left + i * barW + 1.5;
    const rects: string[] = [];
    for (const tone of TONES) {
      const count = bin[tone];
      if (count === 0) continue;
      rects.push(`<rect class="${tone}" x="${x.toFixed(1)}" width="${(barW - 3).toFixed(1)}" y="${y(stacked + count).toFixed(1)}" height="${(y(stacked) - y(stacked + count)).toFixed(1)}"/>`);
      stacked += count;
    }
    if (stacked === 0) continue;
    const range = `${num(from)}${i === HISTOGRAM_BINS - 1 ? '–' : '–<'}${num(to)}`;
    const detail = TONES.filter((t) => bin[t] > 0).map((t) => `${bin[t]} ${t}`).join(', ');
    parts.push(`<g><title>reward ${esc(range)}: ${esc(detail)}</title>${rects.join('')}</g>`);
    parts.push(`<text class="bar-label" x="${(x + (barW - 3) / 2).toFixed(1)}" y="${(y(stacked) - 3).toFixed(1)}" text-anchor="middle">${stacked}</text>`);
  }
  for (const at of [lo, (lo + hi) / 2, hi]) {
    const x = m.left + ((at - lo) / (hi - lo)) * plotW;
    parts.push(`<text class="axis" x="${x.toFixed(1)}" y="${height - m.bottom + 14}" text-anchor="middle">${esc(num(at))}</text>`);
  }
  parts.push(`<text class="axis" x="${m.left + plotW / 2}" y="${height - 3}" text-anchor="middle">reward</text>`);
  if (pass !== undefined && pass >= lo && pass <= hi) {
    const x = m.left + ((pass - lo) / (hi - lo)) * plotW;
    const anchor = x > m.left + plotW / 2 ? 'end' : 'start';
    parts.push(`<line class="threshold" x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${m.top - 24}" y2="${y(0)}"><title>pass threshold ${esc(num(pass))}</title></line>`);
    parts.push(`<text class="threshold-label" x="${(x + (anchor === 'end' ? -4 : 4)).toFixed(1)}" y="${m.top - 16}" text-anchor="${anchor}">pass ≥ ${esc(num(pass))}</text>`);
  }
  const label = `reward histogram of ${n} episodes`;
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}">${parts.join('')}</svg>`;
}

/** Horizontal bars on a 0–1 scale: pass rate (split by status), pass@k, pass^k, and mean reward with its CI. */
function rates(suite: SuiteView, metrics: SuiteMetrics | undefined, passRate: number, k: number): string {
  const width = 340;
  const rowH = 30;
  const m = { left: 92, right: 52, top: 8 };
  const plotW = width - m.left - m.right;
  const clamp = (v: number) => Math.max(0, Math.min(1, Number.isFinite(v) ? v : 0));
  const x = (v: number) => (m.left + clamp(v) * plotW).toFixed(1);
  const rows: string[] = [];
  /** One labelled row; `body` draws its marks given the row's bar top and middle. */
  const row = (label: string, value: string, title: string, body: (top: number, mid: number) => string) => {
    const top = m.top + rows.length * rowH + 4;
    rows.push(
      `<g><title>${esc(title)}</title><text class="axis label" x="${m.left - 8}" y="${top + 11}" text-anchor="end">${esc(label)}</text>` +
        `<rect class="track" x="${m.left}" y="${top}" width="${plotW}" height="14" rx="3"/>${body(top, top + 7)}` +
        `<text class="value" x="${width - m.right + 6}" y="${top + 11}">${esc(value)}</text></g>`,
    );
  };
  const { passed, failed, errored } = suite.summary;
  const total = passed + failed + errored;
  row('pass rate', pct(passRate), `${passed} passed, ${failed} failed, ${errored} errored of ${total}`, (top) => {
    let from = 0;
    let marks = '';
    for (const [tone, count] of [['passed', passed], ['failed', failed], ['errored', errored]] as const) {
      if (count === 0) continue;
      marks += `<rect class="${tone}" x="${x(from / total)}" y="${top}" width="${((count / total) * plotW).toFixed(1)}" height="14"/>`;
      from += count;
    }
    return marks;
  });
  const bar = (v: number) => (top: number) =>
    `<rect class="passed" x="${m.left}" y="${top}" width="${(clamp(v) * plotW).toFixed(1)}" height="14" rx="3"/>`;
  const dot = (v: number) => (_top: number, mid: number) => `<circle class="mean" cx="${x(v)}" cy="${mid}" r="4.5"/>`;
  if (metrics) {
    row(`pass@${k}`, pct(metrics.passAtK), `chance that at least one of ${k} trials passes, averaged over tasks`, bar(metrics.passAtK));
    row(`pass^${k}`, pct(metrics.passHatK), `chance that all ${k} trials pass, averaged over tasks`, bar(metrics.passHatK));
    const [low, high] = metrics.meanRewardCI95;
    row('mean reward', num(metrics.meanReward), `mean reward ${num(metrics.meanReward)}, 95% CI ${num(low)}–${num(high)}`, (top, mid) =>
      `<line class="ci" x1="${x(low)}" x2="${x(high)}" y1="${mid}" y2="${mid}"/>` +
      `<line class="ci" x1="${x(low)}" x2="${x(low)}" y1="${top + 1}" y2="${top + 13}"/>` +
      `<line class="ci" x1="${x(high)}" x2="${x(high)}" y1="${top + 1}" y2="${top + 13}"/>` +
      dot(metrics.meanReward)(top, mid),
    );
  } else {
    const mean = suite.summary.meanReward;
    row('mean reward', num(mean), `mean reward ${num(mean)}`, dot(mean));
  }
  const height = m.top + rows.length * rowH + 4;
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="pass rate ${esc(pct(passRate))}">${rows.join('')}</svg>`;
}

const TASKS_SECTION = `<section class="panel tasks" id="tasks" aria-label="Tasks">
<div class="table-head"><h2>Tasks</h2>
<div class="controls">
<input id="se-filter" type="search" placeholder="Filter by task, suite or error…" aria-label="Filter tasks">
<select id="se-status" aria-label="Status"><option value="all">All statuses</option><option value="notpassed">Failed or errored</option><option value="passed">Passed</option><option value="failed">Failed</option><option value="errored">Errored</option></select>
<select id="se-suite" aria-label="Suite"><option value="all">All suites</option></select>
</div></div>
<table class="task-table" id="se-table"><thead><tr>
<th data-key="suite" scope="col">Suite</th><th data-key="taskId" scope="col">Task</th><th data-key="trial" scope="col" class="num">Trial</th><th data-key="status" scope="col">Status</th><th data-key="reward" scope="col" class="num">Reward</th><th data-key="steps" scope="col" class="num">Steps</th><th data-key="durationMs" scope="col" class="num">Time</th><th data-key="error" scope="col">Error</th>
</tr></thead><tbody id="se-rows"></tbody></table>
<p class="table-foot"><span id="se-count"></span> <button type="button" id="se-more" hidden>Show more</button></p>
<noscript><p>The task table and the trajectories need JavaScript; the data is embedded in this file as JSON blocks.</p></noscript>
</section>
`;

const DRAWER = `<div id="se-backdrop" hidden></div>
<aside id="se-drawer" hidden aria-label="Trajectory" tabindex="-1">
<div class="drawer-bar"><button type="button" id="se-prev" title="Previous task (k)">‹ Prev</button><button type="button" id="se-next" title="Next task (j)">Next ›</button><button type="button" id="se-close" title="Close (Esc)">Close ✕</button></div>
<div id="se-detail"></div>
</aside>
`;
