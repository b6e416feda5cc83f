import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reportSchema, type JsonReport } from '../../src/reporters/report-schema.js';
import { inlineEnvSource, runCli, tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

/** A suite over the tiny env (tasks t0..t{count-1}); `agent` and `extra` are source text. */
function suite(options: { agent: string; extra?: string; count?: number }): Record<string, string> {
  return {
    'tiny.ts': inlineEnvSource,
    'a.eval.ts': `import { defineEval } from 'sandbox-eval';
import { tiny } from './tiny.ts';
export default defineEval({ name: 'tiny suite', dataset: tiny(${options.count ?? 4}), split: 'all', agent: ${options.agent} ${options.extra ?? ''} });
`,
  };
}

function readReport(path: string): JsonReport {
  return reportSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** A report with timings, ids and order taken out, for comparing two runs of one plan. */
function comparable(report: JsonReport): unknown {
  return {
    summary: report.summary,
    suites: report.suites.map((suite) => ({
      name: suite.name,
      summary: suite.summary,
      metrics: suite.metrics,
      tasks: suite.tasks
        .map(({ durationMs: _duration, ...task }) => task)
        .sort((a, b) => a.taskId.localeCompare(b.taskId) || a.trial - b.trial),
    })),
  };
}

describe('trials and metrics', () => {
  it('runs each task --trials times and reports pass@k, pass^k and a 95% CI', async () => {
    // t0 always passes; t1 passes on trial 0 only; t2, t3 never pass
    project = tempProject(suite({ agent: `({ task }) => (task.id === 't0' || (task.id === 't1' && task.trial === 0) ? 'ok' : 'no')` }));
    const result = await runCli(['--trials', '3', '--reporter', 'json', '--output-file', 'r.json'], { cwd: project.dir });
    expect(result.code).toBe(1);
    const report = readReport(join(project.dir, 'r.json'));
    expect(report.summary).toMatchObject({ tasks: 12, passed: 4, failed: 8 });
    const metrics = report.suites[0]!.metrics as Record<string, unknown>;
    expect(metrics).toMatchObject({ trials: 3, taskCount: 4 });
    expect(metrics.passRate).toBeCloseTo(4 / 12);
    expect(metrics.passAtK).toBeCloseTo(0.5); // t0 and t1 pass at least once in 3
    expect(metrics.passHatK).toBeCloseTo(0.25); // only t0 passes all 3
    expect(metrics.meanReward).toBeCloseTo((1 + 1 / 3) / 4);
    const [low, high] = metrics.meanRewardCI95 as [number, number];
    expect(low).toBeLessThan(metrics.meanReward as number);
    expect(high).toBeGreaterThan(metrics.meanReward as number);
    expect(report.suites[0]!.tasks.filter((task) => task.taskId === 't1').map((task) => task.trial).sort()).toEqual([0, 1, 2]);
  });
});

describe('thresholds', () => {
  it('judge the suite by its gates: exit 0 when they hold even if some task fails', async () => {
    project = tempProject(suite({ agent: `({ task }) => (task.id === 't3' ? 'no' : 'ok')`, extra: ', thresholds: { meanReward: 0.7, passRate: 0.75 }' }));
    const result = await runCli(['--reporter', 'json', '--output-file', 'r.json'], { cwd: project.dir });
    expect(result.code).toBe(0);
    expect(readReport(join(project.dir, 'r.json')).gates).toBeUndefined();
  });

  it('exit 1 and say which gate failed, per suite and per task', async () => {
    project = tempProject(
      suite({ agent: `({ task }) => (task.id === 't3' || task.id === 't2' ? 'no' : 'ok')`, extra: ", thresholds: { meanReward: 0.7, passAtK: 0.5, tasks: { t2: 1, t0: 1 } }" }),
    );
    const result = await runCli(['--reporter', 'default', '--reporter', 'json', '--output-file.json=r.json'], { cwd: project.dir });
    expect(result.code).toBe(1);
    const gates = readReport(join(project.dir, 'r.json')).gates as Array<Record<string, unknown>>;
    expect(gates.map((gate) => `${gate.gate}:${gate.taskId ?? ''}`).sort()).toEqual(['meanReward:', 'reward:t2']);
    expect(gates.find((gate) => gate.gate === 'meanReward')).toMatchObject({ expected: 0.7, actual: 0.5 });
    expect(result.stdout + result.stderr).toContain('mean reward 0.500 is below the threshold 0.7');
  });
});

describe('--baseline', () => {
  async function baselineRun(agent: string, trials: number, file: string): Promise<void> {
    project!.write('a.eval.ts', `import { defineEval } from 'sandbox-eval';
import { tiny } from './tiny.ts';
export default defineEval({ name: 'tiny suite', dataset: tiny(4), split: 'all', agent: ${agent} });
`);
    await runCli(['--trials', String(trials), '--reporter', 'json', '--output-file', file], { cwd: project!.dir });
  }

  it('declares a regression only beyond noise, names the test, and exits 1 on regression', async () => {
    project = tempProject(suite({ agent: `() => 'ok'` }));
    await baselineRun(`() => 'ok'`, 3, 'main.json');
    // t1 now always fails (3/3 -> 0/3: p = 0.05); t2 now fails once in 3 (not significant)
    await baselineRun(`({ task }) => (task.id === 't1' || (task.id === 't2' && task.trial === 0) ? 'no' : 'ok')`, 3, 'ignored.json');
    const result = await runCli(['--trials', '3', '--baseline', 'main.json', '--reporter', 'json', '--output-file', 'pr.json'], { cwd: project.dir });
    expect(result.code).toBe(1);
    const comparison = readReport(join(project.dir, 'pr.json')).comparison as {
      test: { name: string; alpha: number; minEffect: number };
      counts: Record<string, number>;
      tasks: Array<{ taskId: string; verdict: string; pValue?: number }>;
    };
    expect(comparison.test).toMatchObject({ name: 'one-sided permutation test on per-trial rewards', alpha: 0.05, minEffect: 0.05 });
    expect(comparison.counts).toMatchObject({ regressed: 1, unchanged: 3, improved: 0, new: 0, missing: 0 });
    expect(comparison.tasks[0]).toMatchObject({ taskId: 't1', verdict: 'regressed' });
    expect(comparison.tasks[0]!.pValue).toBeCloseTo(0.05);
    expect(comparison.tasks.find((task) => task.taskId === 't2')?.verdict).toBe('unchanged');
  });

  it('reports improved, new and missing tasks, and exits 0 without regressions even if tasks fail', async () => {
    project = tempProject(suite({ agent: `() => 'ok'`, count: 3 }));
    const baseline: JsonReport = {
      schemaVersion: 1,
      startedAt: new Date().toISOString(),
      durationMs: 1,
      summary: { tasks: 6, passed: 3, failed: 3, errored: 0, meanReward: 0.5 },
      suites: [
        {
          name: 'tiny suite',
          dataset: 'tiny',
          split: 'all',
          summary: { tasks: 6, passed: 3, failed: 3, errored: 0, meanReward: 0.5 },
          tasks: [
            ...[0, 1, 2].map((trial) => ({ taskId: 't0', trial, reward: 0, status: 'failed' as const, steps: 1, durationMs: 1, trajectory: [] })),
            ...[0, 1, 2].map((trial) => ({ taskId: 'gone', trial, reward: 1, status: 'passed' as const, steps: 1, durationMs: 1, trajectory: [] })),
            { taskId: 't2', trial: 0, reward: 1, status: 'passed' as const, steps: 1, durationMs: 1, trajectory: [] },
          ],
        },
      ],
    };
    writeFileSync(join(project.dir, 'main.json'), JSON.stringify(baseline));
    project.write('a.eval.ts', `import { defineEval } from 'sandbox-eval';
import { tiny } from './tiny.ts';
export default defineEval({ name: 'tiny suite', dataset: tiny(3), split: 'all', agent: ({ task }) => (task.id === 't2' ? 'no' : 'ok') });
`);
    const result = await runCli(['--trials', '3', '--baseline', 'main.json', '--reporter', 'json', '--output-file', 'pr.json'], { cwd: project.dir });
    const comparison = readReport(join(project.dir, 'pr.json')).comparison as { tasks: Array<{ taskId: string; verdict: string }> };
    const verdicts = Object.fromEntries(comparison.tasks.map((task) => [task.taskId, task.verdict]));
    // t2: 1/1 before, 0/3 now: a drop, but p = 0.25 with one baseline trial: not beyond noise
    expect(verdicts).toEqual({ t0: 'improved', t1: 'new', gone: 'missing', t2: 'unchanged' });
    expect(result.code).toBe(0);
  });

  it('fails with exit 3 when the baseline is not a report', async () => {
    project = tempProject(suite({ agent: `() => 'ok'` }));
    project.write('main.json', '{"hello": 1}');
    const result = await runCli(['--baseline', 'main.json'], { cwd: project.dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('main.json is not a sandbox-eval JSON report');
  });
});

describe('--resume', () => {
  it('after a crash (SIGKILL) runs only what is missing and gives the report of an uninterrupted run', async () => {
    // tasks t0..t5: the agent marks each task it finishes; with CRASH_AFTER set, it hangs after that many
    project = tempProject(
      suite({
        count: 6,
        agent: `async ({ task }) => {
  const fs = await import('node:fs');
  const limit = Number(process.env.CRASH_AFTER ?? Infinity);
  const done = fs.existsSync('done.log') ? fs.readFileSync('done.log', 'utf8').split('\\n').filter(Boolean).length : 0;
  if (done >= limit) { process.stderr.write('hanging\\\\n'); await new Promise(() => {}); }
  fs.appendFileSync('done.log', task.id + '\\n');
  return task.id === 't4' ? 'no' : 'ok';
}`,
      }),
    );
    const full = await runCli(['--concurrency', '1', '--reporter', 'json', '--output-file', 'full.json'], { cwd: project.dir });
    expect(full.code).toBe(1);
    writeFileSync(join(project.dir, 'done.log'), '');

    const crashed = await runCli(['--concurrency', '1', '--reporter', 'json', '--output-file', 'resumed.json'], {
      cwd: project.dir,
      env: { CRASH_AFTER: '3' },
      onSpawn: (child) => child.stderr?.on('data', (chunk: Buffer) => chunk.toString().includes('hanging') && child.kill('SIGKILL')),
    });
    expect(crashed.signal).toBe('SIGKILL');
    const journal = readFileSync(join(project.dir, '.sandbox-eval/journal.jsonl'), 'utf8').trim().split('\n');
    expect(journal).toHaveLength(1 + 3); // header + three finished tasks

    writeFileSync(join(project.dir, 'done.log'), '');
    const resumed = await runCli(['--resume', '--concurrency', '1', '--reporter', 'json', '--output-file', 'resumed.json'], { cwd: project.dir });
    expect(resumed.code).toBe(1);
    // only the three missing tasks ran again
    expect(readFileSync(join(project.dir, 'done.log'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(comparable(readReport(join(project.dir, 'resumed.json')))).toEqual(comparable(readReport(join(project.dir, 'full.json'))));
  });

  it('refuses to resume a journal of a different plan', async () => {
    project = tempProject(suite({ agent: `() => 'ok'` }));
    await runCli([], { cwd: project.dir });
    const result = await runCli(['--resume', '--trials', '2'], { cwd: project.dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('belongs to a different plan');
  });
});

describe('--shard and merge', () => {
  it('shards split the plan deterministically, and merging them equals the unsharded run', async () => {
    project = tempProject(suite({ count: 7, agent: `({ task }) => (Number(task.id.slice(1)) % 3 === 0 ? 'no' : 'ok')` }));
    const whole = await runCli(['--trials', '2', '--reporter', 'json', '--output-file', 'whole.json', '--reporter', 'junit', '--output-file.junit=whole.xml'], { cwd: project.dir });
    const shards = await Promise.all(
      [1, 2, 3].map((i) => runCli(['--trials', '2', '--shard', `${i}/3`, '--reporter', 'json', '--output-file', `shard-${i}.json`], { cwd: project!.dir })),
    );
    // episodes go round-robin: shard 3 gets t1#0, t2#1, t4#0, t5#1, none of the failing t0, t3, t6
    expect(shards.map((shard) => shard.code)).toEqual([1, 1, 0]);
    const sizes = [1, 2, 3].map((i) => readReport(join(project!.dir, `shard-${i}.json`)).summary.tasks);
    expect(sizes).toEqual([5, 5, 4]);

    const merged = await runCli(['merge', 'shard-1.json', 'shard-2.json', 'shard-3.json', '--reporter', 'json', '--output-file', 'merged.json', '--reporter', 'junit', '--output-file.junit=merged.xml'], { cwd: project.dir });
    expect(merged.code).toBe(whole.code);
    expect(comparable(readReport(join(project.dir, 'merged.json')))).toEqual(comparable(readReport(join(project.dir, 'whole.json'))));
    const testcases = (path: string) => (readFileSync(join(project!.dir, path), 'utf8').match(/<testcase /g) ?? []).length;
    expect(testcases('merged.xml')).toBe(testcases('whole.xml'));

    const overlap = await runCli(['merge', 'shard-1.json', 'shard-1.json'], { cwd: project.dir });
    expect(overlap.code).toBe(3);
    expect(overlap.stderr).toContain('the reports overlap');
  });

  it('rejects a malformed --shard', async () => {
    project = tempProject(suite({ agent: `() => 'ok'` }));
    const result = await runCli(['--shard', '4/3'], { cwd: project.dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Expected `--shard` to be i/n with 1 ≤ i ≤ n');
  });
});
