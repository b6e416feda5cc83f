import { afterEach, describe, expect, it, vi } from 'vitest';
import { DefaultReporter, formatDuration } from '../../src/reporters/default.js';
import type { TaskResult } from '../../src/reporters/types.js';
import { Capture, plan, result, scenario, summarize } from './fixtures.js';

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/;

/** Durations vary in real runs; golden files hold a placeholder instead. */
function normalise(text: string): string {
  return text.replace(/\b\d+m \d{2}\.\ds\b|\b\d+(?:\.\d+)?m?s\b/g, '<time>');
}

function runScenario(options: { verbose?: boolean; stdout: Capture; stderr: Capture }) {
  const { plan: runPlan, results } = scenario();
  const reporter = new DefaultReporter({ ...options, isTTY: false, color: false });
  reporter.onRunStart(runPlan);
  for (const r of results) {
    reporter.onTaskStart({ suite: r.suite, dataset: r.dataset, split: r.split, taskId: r.taskId, trial: r.trial });
    reporter.onTaskEnd(r);
  }
  reporter.onRunEnd(summarize(runPlan, results, 125_400), 'failed');
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('DefaultReporter, not a TTY', () => {
  it('prints failing tasks, suite ends and the closing summary (golden)', async () => {
    const out = new Capture();
    runScenario({ stdout: out, stderr: out });
    expect(out.text).not.toMatch(ANSI);
    expect(out.text).not.toContain('\r');
    await expect(normalise(out.text)).toMatchFileSnapshot('./__golden__/default-ci.txt');
  });

  it('lists passed tasks too when verbose (golden)', async () => {
    const out = new Capture();
    runScenario({ stdout: out, stderr: out, verbose: true });
    await expect(normalise(out.text)).toMatchFileSnapshot('./__golden__/default-ci-verbose.txt');
  });

  it('sends failures to stderr and progress and summary to stdout', () => {
    const stdout = new Capture();
    const stderr = new Capture();
    runScenario({ stdout, stderr });
    expect(stderr.text).toMatch(/^FAIL  guess <&> "quotes" › g-2 \[trial 1\]  reward 0\.25 < 0\.5 · 3 steps · 300ms$/m);
    expect(stderr.text).toMatch(/^ERROR bfcl multi-turn › multi_turn_base_7  timeout: Agent exceeded 60s while thinking · 4 steps · 1m 00\.0s$/m);
    expect(stderr.text).toContain('Errored tasks (4):');
    // control characters from a message never reach the terminal
    expect(stderr.text).toContain(']]> \uFFFD\uFFFD done');
    expect(stderr.text).not.toMatch(/[\u0000-\u0008]/);
    expect(stdout.text).not.toContain('FAIL');
    expect(stdout.text).toMatch(/^SUITE bfcl multi-turn \(bfcl\/val\)  6 tasks · 2 passed · 1 failed · 3 errored · mean 0\.417$/m);
    expect(stdout.text).toMatch(/^bfcl multi-turn\s+bfcl\/val\s+6\s+2\s+1\s+3\s+0\.417\s+1\.0s$/m);
    expect(stdout.text).toMatch(/^Tasks   10 · 4 passed · 2 failed · 4 errored · mean 0\.475 · 2m 05\.4s$/m);
  });

  it('caps the closing list of errored tasks and trims long messages', () => {
    const out = new Capture();
    const runPlan = plan([{ name: 's', dataset: 'd', split: 'x', tasks: 25, pass: 1 }]);
    const results: TaskResult[] = Array.from({ length: 25 }, (_, i) =>
      result({ suite: 's', taskId: `t${i}`, status: 'errored', reward: 0, error: { kind: 'infra', message: `boom ${'x'.repeat(500)}` } }),
    );
    const reporter = new DefaultReporter({ stdout: out, stderr: out, isTTY: false, color: false });
    reporter.onRunStart(runPlan);
    for (const r of results) reporter.onTaskEnd(r);
    reporter.onRunEnd(summarize(runPlan, results), 'errored');
    const listed = out.text.split('Errored tasks (25):\n')[1]?.split('\n\n')[0]?.split('\n') ?? [];
    expect(listed).toHaveLength(21);
    expect(listed[20]).toBe('  … and 5 more (the JSON reporter lists them all)');
    expect(listed[0]?.length).toBeLessThan(200);
    expect(listed[0]).toMatch(/…$/);
    expect(out.text).toContain('Result  infrastructure errors: a sandbox or an environment failed');
  });

  it('says when the run was interrupted and how many planned tasks finished', () => {
    const out = new Capture();
    const runPlan = plan([{ name: 's', dataset: 'd', split: 'x', tasks: 8, pass: 1 }]);
    const results = [result({ suite: 's', taskId: 'a' })];
    const reporter = new DefaultReporter({ stdout: out, stderr: out, isTTY: false, color: false });
    reporter.onRunStart(runPlan);
    reporter.onTaskEnd(results[0] as TaskResult);
    reporter.onRunEnd(summarize(runPlan, results), 'interrupted');
    expect(out.text).toContain('Tasks   1 of 8 planned · 1 passed');
    expect(out.text).toContain('interrupted');
    expect(out.text).not.toContain('SUITE');
  });
});

describe('DefaultReporter colours', () => {
  it('follows NO_COLOR and FORCE_COLOR, FORCE_COLOR winning', () => {
    const write = () => {
      const out = new Capture();
      const reporter = new DefaultReporter({ stdout: out, stderr: out, isTTY: false });
      reporter.onRunStart(plan([]));
      reporter.onRunEnd(summarize(plan([]), []), 'passed');
      return out.text;
    };
    vi.stubEnv('FORCE_COLOR', undefined);
    vi.stubEnv('NO_COLOR', undefined);
    expect(write()).not.toMatch(ANSI);
    vi.stubEnv('FORCE_COLOR', '1');
    expect(write()).toMatch(ANSI);
    vi.stubEnv('NO_COLOR', '1');
    expect(write()).toMatch(ANSI);
    vi.stubEnv('FORCE_COLOR', '0');
    expect(write()).not.toMatch(ANSI);
    vi.stubEnv('FORCE_COLOR', undefined);
    expect(write()).not.toMatch(ANSI);
  });
});

describe('DefaultReporter on a TTY', () => {
  it('redraws one progress line in place, lifting it for finished failures', () => {
    vi.useFakeTimers();
    vi.stubEnv('FORCE_COLOR', undefined);
    vi.stubEnv('NO_COLOR', '1');
    const tty = new Capture({ isTTY: true, columns: 60 });
    const stderr = new Capture();
    const runPlan = plan([{ name: 'suite', dataset: 'd', split: 'x', tasks: 3, pass: 1 }]);
    const reporter = new DefaultReporter({ stdout: tty, stderr });

    reporter.onRunStart(runPlan);
    expect(tty.writes.at(-1)).toMatch(/^\r\x1b\[2K⠋ 0\/3 tasks · 0 passed/);

    reporter.onTaskStart({ suite: 'suite', dataset: 'd', split: 'x', taskId: 'a', trial: 0 });
    reporter.onTaskEnd(result({ suite: 'suite', taskId: 'a' }));
    vi.advanceTimersByTime(100);
    expect(tty.writes.at(-1)).toMatch(/^\r\x1b\[2K⠙ 1\/3 tasks · 1 passed · 0 failed · 0 errored · mean 1\.00/);

    const before = tty.writes.length;
    reporter.onTaskEnd(result({ suite: 'suite', taskId: 'b', status: 'failed', reward: 0 }));
    // the progress line is cleared, the failure printed, then the line drawn again
    expect(tty.writes[before]).toBe('\r\x1b[2K');
    expect(stderr.text).toContain('FAIL  suite › b  reward 0 < 1');
    expect(tty.writes.at(-1)).toMatch(/^\r\x1b\[2K. 2\/3 tasks · 1 passed · 1 failed/);

    // throttled: at most one redraw per 100 ms, however many events arrive
    const redraws = tty.writes.length;
    vi.advanceTimersByTime(1000);
    expect(tty.writes.length - redraws).toBe(10);

    // never wider than the terminal, or `\r` could not clear it
    for (const write of tty.writes) {
      expect([...write.replace(/\r\x1b\[2K/, '')].length).toBeLessThanOrEqual(59);
    }

    reporter.onRunEnd(summarize(runPlan, []), 'interrupted');
    expect(vi.getTimerCount()).toBe(0);
    expect(tty.text).toContain('Result  interrupted');
    expect(tty.writes.at(-1)).not.toMatch(/⠋|⠙/);
  });
});

describe('formatDuration', () => {
  it('writes milliseconds, seconds and minutes', () => {
    expect([formatDuration(850), formatDuration(12_345), formatDuration(125_400), formatDuration(-1)]).toEqual([
      '850ms',
      '12.3s',
      '2m 05.4s',
      '-',
    ]);
  });
});
