import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, GithubReporter, type GithubReporterOptions } from '../../src/reporters/github.js';
import { resolveReporters } from '../../src/reporters/index.js';
import type { RunEndReason, RunPlan, RunSummary, TaskResult } from '../../src/reporters/types.js';
import { Capture, plan, result, summarize } from './fixtures.js';
import { richRun } from './rich-run.js';

let dir: string;
const savedEnv = { summary: process.env.GITHUB_STEP_SUMMARY, workspace: process.env.GITHUB_WORKSPACE };
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'se-github-'));
  delete process.env.GITHUB_STEP_SUMMARY;
  delete process.env.GITHUB_WORKSPACE;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  for (const [key, value] of [['GITHUB_STEP_SUMMARY', savedEnv.summary], ['GITHUB_WORKSPACE', savedEnv.workspace]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function run(
  options: GithubReporterOptions,
  input: { plan: RunPlan; results: TaskResult[]; summary: RunSummary },
  reason: RunEndReason = 'failed',
): Promise<{ stdout: string; summary: string | undefined }> {
  const stdout = new Capture();
  const reporter = new GithubReporter({ stdout, ...options });
  await reporter.onRunStart(input.plan);
  for (const r of input.results) await reporter.onTaskEnd(r);
  await reporter.onRunEnd(input.summary, reason);
  const summary = options.summaryFile ? await readFile(options.summaryFile, 'utf8').catch(() => undefined) : undefined;
  return { stdout: stdout.text, summary };
}

describe('GithubReporter', () => {
  it('appends a Markdown job summary and writes annotations on the eval files (golden)', async () => {
    const summaryFile = join(dir, 'step-summary.md');
    await writeFile(summaryFile, '# an earlier step wrote this\n');
    // the project sits in a subfolder of the repository: annotation paths are relative to the repository
    const out = await run({ summaryFile, cwd: '/repo/project', workspace: '/repo' }, richRun());
    expect(out.summary?.startsWith('# an earlier step wrote this\n## sandbox-eval: ❌ Some tasks failed\n')).toBe(true);
    await expect(out.summary).toMatchFileSnapshot('./__golden__/github-summary.md');
    await expect(out.stdout).toMatchFileSnapshot('./__golden__/github-annotations.txt');
  });

  it('puts gates and regressions first, then failing tasks in report order, whatever the arrival order', async () => {
    const input = richRun();
    const forward = await run({ cwd: dir, maxAnnotations: 100 }, input);
    const backward = await run({ cwd: dir, maxAnnotations: 100 }, { ...input, results: [...input.results].reverse() });
    expect(backward.stdout).toBe(forward.stdout);
    const titles = forward.stdout.split('\n').filter(Boolean).map((line) => /title=([^:]*)::/.exec(line)?.[1]);
    expect(titles).toEqual([
      'Gate failed%3A bfcl multi-turn (passRate)',
      'Regressed%3A bfcl multi-turn › multi_turn_base_2',
      'Errored (infra)%3A bfcl multi-turn › multi_turn_base_1',
      'Failed%3A bfcl multi-turn › multi_turn_base_2',
      'Errored (env)%3A bfcl multi-turn › multi_turn_base_4',
      'Errored (timeout)%3A bfcl multi-turn › multi_turn_base_7',
      'Errored (agent)%3A guess <&> "quotes" › g-2 [trial 0]',
      'Failed%3A guess <&> "quotes" › g-2 [trial 1]',
      expect.stringMatching(/^Errored \(agent\)%3A guess <&> "quotes" › x<\/script>/),
    ]);
    // infrastructure and environment errors are warnings; the agent's failures are errors
    expect(forward.stdout.match(/^::warning /gm)).toHaveLength(2);
    expect(forward.stdout.match(/^::error /gm)).toHaveLength(7);
  });

  it('emits at most maxAnnotations, then one notice counting the rest', async () => {
    const out = await run({ cwd: dir, maxAnnotations: 3 }, richRun());
    const lines = out.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe(
      '::notice title=sandbox-eval::6 more failures not annotated (showing the first 3 of 9); see the job summary or the JSON report.',
    );
  });

  it('keeps only the first failing tasks, yet counts them all', async () => {
    const runPlan = plan([{ name: 's', dataset: 'guess', split: 'test', tasks: 100, pass: 1 }]);
    // arriving in reverse: the kept ones are still the first in natural order
    const results = Array.from({ length: 100 }, (_, i) => result({ suite: 's', taskId: `t${100 - i}`, status: 'failed', reward: 0 }));
    const summaryFile = join(dir, 'summary.md');
    const out = await run({ cwd: dir, summaryFile }, { plan: runPlan, results, summary: summarize(runPlan, results) });
    const annotated = [...out.stdout.matchAll(/title=Failed%3A s › (t\d+)::/g)].map((m) => m[1]);
    expect(annotated).toEqual(['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9', 't10']);
    expect(out.stdout).toContain('::notice title=sandbox-eval::90 more failures not annotated (showing the first 10 of 100)');
    expect(out.summary).toContain('### Failing tasks (100)');
    expect(out.summary?.match(/^\| s \| t\d+ \| failed \|/gm)).toHaveLength(20);
    expect(out.summary).toContain('| s | t20 | failed |');
    expect(out.summary).toContain('…and 80 more; the JSON and HTML reports list every task.');
  });

  it('writes nothing to stdout for a passing run, and a short summary', async () => {
    const runPlan = plan([{ name: 'ok', dataset: 'guess', split: 'test', tasks: 1, pass: 1 }]);
    const results = [result({ suite: 'ok', taskId: 't1' })];
    const summaryFile = join(dir, 'summary.md');
    const out = await run({ cwd: dir, summaryFile }, { plan: runPlan, results, summary: summarize(runPlan, results) }, 'passed');
    expect(out.stdout).toBe('');
    expect(out.summary).toBe(
      [
        '## sandbox-eval: ✅ Every task passed',
        '',
        '**1 task**: 1 passed, 0 failed, 0 errored · mean reward 1 · 5.0 s · run `run-1`',
        '',
        '### Suites',
        '',
        '| Suite | Tasks | Passed | Failed | Errored | Mean reward (95% CI) | Trials | pass@k | pass^k |',
        '| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |',
        '| ok | 1 | 1 | 0 | 0 | 1 | 1 | – | – |',
        '',
        '',
      ].join('\n'),
    );
  });

  it('uses GITHUB_STEP_SUMMARY and GITHUB_WORKSPACE when built as `--reporter github`', async () => {
    const summaryFile = join(dir, 'nested', 'summary.md');
    process.env.GITHUB_STEP_SUMMARY = summaryFile;
    process.env.GITHUB_WORKSPACE = dir;
    const stdout = new Capture();
    const [reporter] = await resolveReporters({ specs: [{ name: 'github' }], cwd: join(dir, 'pkg'), stdout, stderr: stdout });
    expect(reporter).toBeInstanceOf(GithubReporter);
    const input = richRun();
    await reporter?.onRunStart?.(input.plan);
    for (const r of input.results) await reporter?.onTaskEnd?.(r);
    await reporter?.onRunEnd?.(input.summary, 'failed');
    expect(await readFile(summaryFile, 'utf8')).toContain('### ❌ Regressions (1)');
    expect(stdout.text).toContain('::error file=pkg/evals/bfcl.eval.ts,title=Gate failed%3A bfcl multi-turn (passRate)::');
  });

  it('writes no summary without GITHUB_STEP_SUMMARY, and no file= for a suite without an eval file', async () => {
    const out = await run({ cwd: dir }, richRun());
    expect(out.summary).toBeUndefined();
    expect(out.stdout).toMatch(/^::error title=Failed%3A guess <&> "quotes" › g-2 \[trial 1\]::reward 0\.25 < 0\.5 after 3 steps$/m);
  });
});

describe('workflow command escaping', () => {
  it('percent-encodes %, CR and LF in messages, and also : and , in properties', () => {
    expect(escapeData('50% done\r\nnext: a, b')).toBe('50%25 done%0D%0Anext: a, b');
    expect(escapeProperty('50% done\r\nnext: a, b')).toBe('50%25 done%0D%0Anext%3A a%2C b');
    // `%` first, so an encoded-looking input is not decoded by the runner
    expect(escapeData('%0A')).toBe('%250A');
    expect(escapeData('bell\u0007 esc\u001b[31m')).toBe('bell\uFFFD esc\uFFFD[31m');
  });

  it('keeps a multi-line gate message on one command line', async () => {
    const input = richRun();
    const gates = [{ suite: 'bfcl multi-turn', gate: 'meanReward', expected: 0.9, actual: 0.4, message: 'line one\nline two: 100%' }];
    const out = await run({ cwd: dir, maxAnnotations: 1 }, { ...input, summary: { ...input.summary, gates, comparison: undefined } });
    expect(out.stdout.split('\n')[0]).toBe('::error file=evals/bfcl.eval.ts,title=Gate failed%3A bfcl multi-turn (meanReward)::line one%0Aline two: 100%25');
  });
});
