import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HtmlReporter } from '../../src/reporters/html.js';
import { Browser, findChromium } from './chromium.js';
import { Capture, summarize } from './fixtures.js';
import { XSS_ID, XSS_SUITE, richRun as fixture } from './rich-run.js';

async function writeReport(options: { cwd: string; outputFile?: string }): Promise<{ file: string; html: string; stderr: Capture }> {
  const { plan, results, summary } = fixture();
  const stderr = new Capture();
  const reporter = new HtmlReporter({ ...options, stderr });
  await reporter.onRunStart(plan);
  // as a concurrent runner would: several results in flight at once
  await Promise.all(results.map((r) => reporter.onTaskEnd(r)));
  await reporter.onRunEnd(summary, 'failed');
  return { file: reporter.outputFile, html: await readFile(reporter.outputFile, 'utf8'), stderr };
}

/** The page's JSON blocks by id, as raw text. */
function jsonBlocks(html: string): Map<string, string> {
  return new Map([...html.matchAll(/<script type="application\/json" id="([^"]+)">([\s\S]*?)<\/script>/g)].map((m) => [m[1] as string, m[2] as string]));
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'se-html-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('HtmlReporter: the file', () => {
  it('writes sandbox-eval-report.html in cwd by default, and leaves no spool or temporary file', async () => {
    const { file, stderr } = await writeReport({ cwd: dir });
    expect(file).toBe(join(dir, 'sandbox-eval-report.html'));
    expect(await readdir(dir)).toEqual(['sandbox-eval-report.html']);
    expect(stderr.text).toBe(`HTML report: ${file}\n`);
  });

  it('spools next to the output while running, so trajectories are not held in memory', async () => {
    const { plan, results, summary } = fixture();
    const reporter = new HtmlReporter({ outputFile: join(dir, 'out', 'r.html'), stderr: new Capture() });
    await reporter.onRunStart(plan);
    for (const r of results) await reporter.onTaskEnd(r);
    expect((await readdir(join(dir, 'out'))).filter((f) => f.endsWith('.spool'))).toHaveLength(1);
    await reporter.onRunEnd(summary, 'failed');
    expect(await readdir(join(dir, 'out'))).toEqual(['r.html']);
  });

  it('is self-contained: no external resource, and a CSP that forbids the network and foreign scripts', async () => {
    const { html } = await writeReport({ cwd: dir, outputFile: 'report.html' });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[A-Za-z0-9+/]+=*'; img-src data:">/);
    const markup = html.replace(/<script type="application\/json"[\s\S]*?<\/script>/g, '');
    expect(markup).not.toMatch(/<link|@import|url\(|\bsrc=|https?:\/\//);
    // exactly one executable script: ours
    expect(markup.match(/<script>/g)).toHaveLength(1);
  });

  it('embeds rows and trajectories as JSON that no task text can break out of', async () => {
    const { html } = await writeReport({ cwd: dir, outputFile: 'report.html' });
    const { results } = fixture();
    const blocks = jsonBlocks(html);
    for (const [id, text] of blocks) expect(text, id).not.toContain('<');

    expect(JSON.parse(blocks.get('se-suites') ?? '')).toEqual([
      { name: 'bfcl multi-turn', dataset: 'bfcl', split: 'val', file: 'evals/bfcl.eval.ts', pass: 1 },
      { name: XSS_SUITE, dataset: 'guess', split: 'test', pass: 0.5 },
    ]);
    const rows = [0, 1].map((i) => JSON.parse(blocks.get(`se-rows-${i}`) ?? '') as Array<Record<string, unknown>>);
    // natural order of task ids, then trial, whatever the arrival order
    expect(rows[0]?.map((r) => r.taskId)).toEqual(['multi_turn_base_1', 'multi_turn_base_2', 'multi_turn_base_3', 'multi_turn_base_4', 'multi_turn_base_7', 'multi_turn_base_10']);
    expect(rows[1]?.map((r) => `${String(r.taskId)}#${String(r.trial)}`)).toEqual(['g-1#0', 'g-1#1', 'g-2#0', 'g-2#1', `${XSS_ID}#0`]);

    // every row leads to its task's whole trajectory, exactly as fed
    for (const [suiteIndex, suiteRows] of rows.entries()) {
      for (const row of suiteRows) {
        const fed = results.find((r) => r.suite === (suiteIndex === 0 ? 'bfcl multi-turn' : XSS_SUITE) && r.taskId === row.taskId && r.trial === row.trial);
        expect(fed).toBeDefined();
        expect(row).toMatchObject({ status: fed?.status, reward: fed?.reward, steps: fed?.steps, durationMs: fed?.durationMs });
        const detail = JSON.parse(blocks.get(`se-t-${String(row.seq)}`) ?? '') as Record<string, unknown>;
        expect(detail.trajectory).toEqual(fed?.trajectory);
        expect(detail.error).toEqual(fed?.status === 'errored' ? fed.error : undefined);
        expect(detail.evaluation).toEqual(fed?.evaluation);
      }
    }
    expect(blocks.size).toBe(1 + 2 + 11);
  });

  it('escapes every text it renders on the server', async () => {
    const { html } = await writeReport({ cwd: dir, outputFile: 'report.html' });
    const markup = html.replace(/<script[\s\S]*?<\/script>/g, '');
    expect(markup).toContain('<h2>guess &lt;&amp;&gt; &quot;quotes&quot;</h2>');
    expect(markup).toContain('pass rate 33.3% &lt; 80% &lt;i&gt;gate&lt;/i&gt;');
    expect(markup).not.toContain('<i>gate');
    expect(markup).not.toContain(XSS_SUITE);
  });

  it('shows failed gates, and baseline verdicts with regressions first and the test stated', async () => {
    const { html } = await writeReport({ cwd: dir, outputFile: 'report.html' });
    expect(html).toContain('<h2>Failed gates <span class="count">1</span></h2>');
    const comparison = /<section class="panel comparison"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(comparison).toContain('one-sided Welch t-test, α = 0.05, minimum effect 0.1. Regressed when the mean drops by 0.1 or more with p &lt; 0.05.');
    const verdicts = [...comparison.matchAll(/<tr class="(\w+)">/g)].map((m) => m[1]);
    expect(verdicts).toEqual(['regressed', 'improved', 'unchanged']);
    // the unchanged ones are folded away
    expect(comparison).toMatch(/<details><summary>1 unchanged<\/summary>/);
    expect(comparison).toContain('<a href="#task=multi_turn_base_2&amp;suite=bfcl%20multi-turn">multi_turn_base_2</a>');
  });

  it('draws each suite: histogram bars stacked by status, pass rates and the mean reward with its CI', async () => {
    const { html } = await writeReport({ cwd: dir, outputFile: 'report.html' });
    const bfcl = /<article class="panel suite" data-suite="bfcl multi-turn">[\s\S]*?<\/article>/.exec(html)?.[0] ?? '';
    expect(bfcl).toContain('aria-label="reward histogram of 6 episodes"');
    // rewards 0 (three errored), 0.5 (one failed) and 1 (two passed)
    expect(bfcl).toContain('<title>reward 0–&lt;0.1: 3 errored</title>');
    expect(bfcl).toContain('<title>reward 0.5–&lt;0.6: 1 failed</title>');
    expect(bfcl).toContain('<title>reward 0.9–1: 2 passed</title>');
    expect(bfcl).toContain('pass ≥ 1</text>');
    expect(bfcl).toContain('<title>mean reward 0.417, 95% CI 0.1–0.75</title>');
    expect(bfcl).toContain('>pass@1</text>');
    const guess = /<article class="panel suite" data-suite="guess[\s\S]*?<\/article>/.exec(html)?.[0] ?? '';
    expect(guess).toContain('3 tasks × 2 trials');
    expect(guess).toMatch(/<div class="tile-value">50\.0%<\/div><div class="tile-label">pass@2<\/div>/);
    expect(guess).toMatch(/<div class="tile-value">25\.0%<\/div><div class="tile-label">pass\^2<\/div>/);
  });

  it('serves several runs (watch mode): each report holds only its own run', async () => {
    const reporter = new HtmlReporter({ outputFile: join(dir, 'r.html'), stderr: new Capture() });
    const { plan, results, summary } = fixture();
    await reporter.onRunStart(plan);
    for (const r of results) await reporter.onTaskEnd(r);
    await reporter.onRunEnd(summary, 'failed');
    const only = results.filter((r) => r.taskId === 'g-1');
    await reporter.onRunStart(plan);
    for (const r of only) await reporter.onTaskEnd(r);
    await reporter.onRunEnd(summarize(plan, only), 'passed');
    const blocks = jsonBlocks(await readFile(join(dir, 'r.html'), 'utf8'));
    expect(JSON.parse(blocks.get('se-rows-0') ?? '')).toEqual([]);
    expect((JSON.parse(blocks.get('se-rows-1') ?? '') as unknown[]).length).toBe(2);
    expect([...blocks.keys()].filter((k) => k.startsWith('se-t-'))).toEqual(['se-t-0', 'se-t-1']);
  });
});

// ---- what a person sees: the page opened in headless Chromium ----

const chromium = findChromium();
if (!chromium && process.env.CI !== 'true') {
  console.warn('SKIPPED: HTML report in Chromium: chromium is not installed (apt-get install -y chromium)');
}

describe.skipIf(!chromium && process.env.CI !== 'true')('HtmlReporter: in Chromium', () => {
  let browser: Browser;
  let pageDir: string;
  let url: string;

  beforeAll(async () => {
    if (!chromium) throw new Error('CI=true but chromium is missing: apt-get install -y chromium');
    pageDir = await mkdtemp(join(tmpdir(), 'se-html-page-'));
    const { file } = await writeReport({ cwd: pageDir, outputFile: 'report.html' });
    url = pathToFileURL(file).href;
    browser = await Browser.launch(chromium, { width: 1280, height: 1000 });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    if (pageDir) await rm(pageDir, { recursive: true, force: true });
  });

  const cells = (column: number) =>
    browser.evaluate<string[]>(`[...document.querySelectorAll('#se-rows tr')].map((tr) => tr.cells[${column}].textContent)`);

  it('renders the task table, and nothing from the report runs as script or markup', async () => {
    await browser.goto(url);
    expect(await cells(1)).toEqual([
      'multi_turn_base_1',
      'multi_turn_base_2',
      'multi_turn_base_3',
      'multi_turn_base_4',
      'multi_turn_base_7',
      'multi_turn_base_10',
      'g-1',
      'g-1',
      'g-2',
      'g-2',
      XSS_ID,
    ]);
    expect(await cells(3)).toEqual(['errored', 'failed', 'passed', 'errored', 'errored', 'passed', 'passed', 'passed', 'errored', 'failed', 'errored']);
    expect(await browser.evaluate('document.getElementById("se-count").textContent')).toBe('Showing 11 of 11 tasks');
    expect(await browser.evaluate('window.__pwned ?? null')).toBeNull();
    expect(await browser.evaluate('document.querySelectorAll("img").length')).toBe(0);
    expect(await browser.evaluate('document.getElementById("se-drawer").hidden')).toBe(true);
  });

  it('sorts by a column when its header is clicked, and reverses on a second click', async () => {
    await browser.goto(url);
    await browser.evaluate(`document.querySelector('th[data-key="reward"]').click()`);
    expect(await cells(4)).toEqual(['0', '0', '0', '0', '0', '0.25', '0.5', '1', '1', '1', '1']);
    expect(await browser.evaluate(`document.querySelector('th[data-key="reward"]').getAttribute('aria-sort')`)).toBe('ascending');
    await browser.evaluate(`document.querySelector('th[data-key="durationMs"]').click(); document.querySelector('th[data-key="durationMs"]').click()`);
    expect((await cells(6)).slice(0, 3)).toEqual(['1 min 0 s', '3.2 s', '2.1 s']);
  });

  it('filters by text, status and suite', async () => {
    await browser.goto(url);
    const set = (id: string, value: string, event: string) =>
      browser.evaluate(`{ const el = document.getElementById(${JSON.stringify(id)}); el.value = ${JSON.stringify(value)}; el.dispatchEvent(new Event(${JSON.stringify(event)})); }`);
    await set('se-filter', 'BASE_1', 'input');
    expect(await cells(1)).toEqual(['multi_turn_base_1', 'multi_turn_base_10']);
    await set('se-filter', 'econnrefused', 'input');
    expect(await cells(1)).toEqual(['multi_turn_base_1']);
    await set('se-filter', '', 'input');
    await set('se-status', 'notpassed', 'change');
    expect(await cells(3)).not.toContain('passed');
    expect(await browser.evaluate('document.getElementById("se-count").textContent')).toBe('Showing 7 of 7 matching tasks (11 in all)');
    await set('se-suite', '1', 'change');
    expect(await cells(1)).toEqual(['g-2', 'g-2', XSS_ID]);
    await set('se-filter', 'nothing-matches-this', 'input');
    expect(await cells(0)).toEqual(['No task matches the filter.']);
  });

  it('opens a trajectory from the URL (#task=...) step by step, with tool calls shown readably', async () => {
    await browser.goto(`${url}#task=multi_turn_base_3&suite=${encodeURIComponent('bfcl multi-turn')}`);
    expect(await browser.evaluate('document.getElementById("se-drawer").hidden')).toBe(false);
    const text = await browser.evaluate<string>('document.getElementById("se-detail").innerText');
    expect(text).toContain('multi_turn_base_3');
    expect(text).toMatch(/Initial state\s+system\s+Tools: ls, cd\s+user\s+List files with "quotes", <tags>, & ampersands/);
    expect(text).toMatch(/Step 1\s+episode reward 1\s+ACTION\s+assistant\s+call ls\s*c1\s+\{\s+"path": "\/"\s+\}\s+OBSERVATION\s+tool result · ls \(c1\)\s+a\.txt\s+b\.txt/);
    expect(text).toContain('Passed: reward 1 (passes at ≥ 1)');
    // the table row is marked as the open one
    expect(await browser.evaluate('document.querySelector("#se-rows tr.current").cells[1].textContent')).toBe('multi_turn_base_3');
    await browser.screenshot(join(pageDir, 'trajectory.png'));
  });

  it('opens a task when its row is clicked, steps with Next, and closes with Escape', async () => {
    await browser.goto(url);
    const openedBy = (action: string) =>
      browser.evaluate<string>(
        `new Promise((resolve) => { addEventListener('hashchange', () => resolve(document.querySelector('#se-detail h2').textContent), { once: true }); ${action}; })`,
      );
    expect(await openedBy(`document.querySelectorAll('#se-rows tr')[1].click()`)).toBe('multi_turn_base_2');
    const detail = await browser.evaluate<string>('document.getElementById("se-detail").innerText');
    expect(detail).toContain('Failed: reward 0.5 (passes at ≥ 1)');
    expect(detail).toMatch(/Evaluation\s+\{\s+"reward": 0\.5,\s+"checks": \[\s+true,\s+false\s+\]\s+\}/);
    expect(await openedBy(`document.getElementById('se-next').click()`)).toBe('multi_turn_base_3');
    expect(await browser.evaluate('location.hash')).toBe('#task=multi_turn_base_3&suite=bfcl%20multi-turn&trial=0');
    await browser.evaluate(`document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))`);
    expect(await browser.evaluate('document.getElementById("se-drawer").hidden')).toBe(true);
    expect(await browser.evaluate('location.hash')).toBe('');
  });

  it('shows hostile text as text: the trajectory and error of a task whose id is markup', async () => {
    await browser.goto(`${url}#task=${encodeURIComponent(XSS_ID)}`);
    expect(await browser.evaluate('document.querySelector("#se-detail h2").textContent')).toBe(XSS_ID);
    const text = await browser.evaluate<string>('document.getElementById("se-detail").innerText');
    expect(text).toContain('<!-- <script>window.__pwned=2</script> & more');
    expect(text).toContain('</script><script>window.__pwned=3</script>');
    expect(text).toContain('call <img src=y onerror="window.__pwned=4">');
    expect(await browser.evaluate('window.__pwned ?? null')).toBeNull();
    expect(await browser.evaluate('document.querySelectorAll("img, b").length')).toBe(0);
  });

  it('says so when the URL names a task the report does not have', async () => {
    await browser.goto(`${url}#task=no-such-task`);
    expect(await browser.evaluate('document.getElementById("se-detail").innerText')).toBe('No task no-such-task in this report.');
  });

  it('looks like a report: a full-page screenshot', async () => {
    await browser.goto(url);
    const png = await browser.screenshot(join(pageDir, 'report.png'), { fullPage: true });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // width and height from the IHDR chunk: the page is wider than the viewport's minimum and taller than one screen
    expect(png.readUInt32BE(16)).toBe(1280);
    expect(png.readUInt32BE(20)).toBeGreaterThan(1000);
    if (process.env.SE_SCREENSHOT_DIR) await browser.screenshot(join(process.env.SE_SCREENSHOT_DIR, 'html-report.png'), { fullPage: true });
  });
});
