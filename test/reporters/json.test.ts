import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonReporter } from '../../src/reporters/json.js';
import { reportSchema } from '../../src/reporters/report-schema.js';
import type { RunSummary, TaskResult } from '../../src/reporters/types.js';
import { Capture, plan, result, scenario, summarize } from './fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'se-json-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function feed(reporter: JsonReporter, results: TaskResult[], summary: RunSummary, runPlan = scenario().plan) {
  await reporter.onRunStart(runPlan);
  // as a concurrent runner would: several results in flight at once
  await Promise.all(results.map((r) => reporter.onTaskEnd(r)));
  await reporter.onRunEnd(summary, 'failed');
}

describe('JsonReporter', () => {
  it('writes a report that parses with the schema and holds exactly what was fed', async () => {
    const { plan: runPlan, results } = scenario();
    const outputFile = join(dir, 'nested', 'deeper', 'report.json');
    const summary = summarize(runPlan, results);
    await feed(new JsonReporter({ outputFile }), results, summary, runPlan);

    const report = reportSchema.parse(JSON.parse(await readFile(outputFile, 'utf8')));
    expect(report.schemaVersion).toBe(1);
    expect(report.runId).toBe('run-1');
    expect(report.reason).toBe('failed');
    expect(report.startedAt).toBe(runPlan.startedAt);
    expect(report.durationMs).toBe(5000);
    expect(report.summary).toEqual({ tasks: 10, passed: 4, failed: 2, errored: 4, meanReward: summary.summary.meanReward });

    expect(report.suites.map((s) => s.name)).toEqual(['bfcl multi-turn', 'guess <&> "quotes"']);
    const [bfcl, guess] = report.suites;
    expect(bfcl).toMatchObject({ dataset: 'bfcl', split: 'val', file: 'evals/bfcl.eval.ts', pass: 1, durationMs: 1000 });
    expect(bfcl?.summary).toEqual({ tasks: 6, passed: 2, failed: 1, errored: 3, meanReward: 2.5 / 6 });
    expect(guess?.file).toBeUndefined();
    expect(guess?.summary).toMatchObject({ tasks: 4, passed: 2, failed: 1, errored: 1 });

    // natural order of task ids, then trial, whatever the arrival order
    expect(bfcl?.tasks.map((t) => t.taskId)).toEqual([
      'multi_turn_base_1',
      'multi_turn_base_2',
      'multi_turn_base_3',
      'multi_turn_base_4',
      'multi_turn_base_7',
      'multi_turn_base_10',
    ]);
    expect(guess?.tasks.map((t) => `${t.taskId}#${t.trial}`)).toEqual(['g-1#0', 'g-1#1', 'g-2#0', 'g-2#1']);

    // each task is what was fed, minus the routing fields
    for (const fed of results) {
      const suite = report.suites.find((s) => s.name === fed.suite);
      const written = suite?.tasks.find((t) => t.taskId === fed.taskId && t.trial === fed.trial);
      const { suite: _s, dataset: _d, split: _sp, ...expected } = fed;
      expect(written).toEqual(expected);
    }
    const timedOut = bfcl?.tasks.find((t) => t.taskId === 'multi_turn_base_7');
    expect(timedOut?.error).toEqual({ kind: 'timeout', message: 'Agent exceeded 60s\nwhile thinking', code: 'SE_TIMEOUT' });
    expect(bfcl?.tasks.find((t) => t.taskId === 'multi_turn_base_3')?.trajectory[1]?.content).toContain('émojis 🎉, tabs\tand\nnewlines, \u0000nul, ]]>');
    expect(bfcl?.tasks.find((t) => t.taskId === 'multi_turn_base_2')?.evaluation).toEqual({ reward: 0.5, checks: [true, false] });
    // `error` is on errored tasks only
    expect(report.suites.flatMap((s) => s.tasks).filter((t) => t.error).length).toBe(4);
  });

  it('spools next to the output while running and removes the spool at the end', async () => {
    const { plan: runPlan, results } = scenario();
    const outputFile = join(dir, 'report.json');
    const reporter = new JsonReporter({ outputFile });
    await reporter.onRunStart(runPlan);
    for (const r of results) await reporter.onTaskEnd(r);
    const during = await readdir(dir);
    expect(during.filter((f) => f.endsWith('.spool'))).toHaveLength(1);
    expect(during).not.toContain('report.json');
    await reporter.onRunEnd(summarize(runPlan, results), 'failed');
    expect(await readdir(dir)).toEqual(['report.json']);
  });

  it('keeps the previous report and leaves no temporary files when writing fails', async () => {
    const { plan: runPlan, results } = scenario();
    const outputFile = join(dir, 'report.json');
    await writeFile(outputFile, '{"previous":true}\n');
    const reporter = new JsonReporter({ outputFile });
    await reporter.onRunStart(runPlan);
    for (const r of results) await reporter.onTaskEnd(r);
    const summary = summarize(runPlan, results);
    // fails after the document has been opened and its head written
    const broken = { ...summary, get suites(): never { throw new Error('disk full'); } };
    await expect(reporter.onRunEnd(broken, 'failed')).rejects.toThrow('disk full');
    expect(await readdir(dir)).toEqual(['report.json']);
    expect(await readFile(outputFile, 'utf8')).toBe('{"previous":true}\n');
  });

  it('writes into a pipe (or device) as it is, leaving it a pipe, instead of renaming a file over it', async () => {
    // a FIFO stands for /dev/null and /dev/stdout: renaming over /dev/null as root replaced the device
    const fifo = join(dir, 'report.fifo');
    execFileSync('mkfifo', [fifo]);
    const received = readFile(fifo, 'utf8');
    const { plan: runPlan, results } = scenario();
    await feed(new JsonReporter({ outputFile: fifo }), results, summarize(runPlan, results), runPlan);
    const report = reportSchema.parse(JSON.parse(await received));
    expect(report.suites.flatMap((s) => s.tasks)).toHaveLength(results.length);
    expect((await stat(fifo)).isFIFO()).toBe(true);
    expect(await readdir(dir)).toEqual(['report.fifo']);
  });

  it('streams to stdout when there is no output file, spooling in the temp folder', async () => {
    const { plan: runPlan, results } = scenario();
    const stdout = new Capture();
    const spools = async () => (await readdir(tmpdir())).filter((f) => f.startsWith(`.sandbox-eval.${process.pid}.`));
    const before = await spools();
    const reporter = new JsonReporter({ stdout });
    await reporter.onRunStart(runPlan);
    await reporter.onTaskEnd(results[0] as TaskResult);
    expect((await spools()).length).toBe(before.length + 1);
    for (const r of results.slice(1)) await reporter.onTaskEnd(r);
    await reporter.onRunEnd(summarize(runPlan, results), 'failed');
    expect(await spools()).toEqual(before);
    const report = reportSchema.parse(JSON.parse(stdout.text));
    expect(report.suites.flatMap((s) => s.tasks)).toHaveLength(10);
  });

  it('streams large runs and lists planned suites that finished no task', async () => {
    const runPlan = plan([
      { name: 'big', dataset: 'guess', split: 'test', tasks: 300, pass: 1 },
      { name: 'never started', dataset: 'guess', split: 'val', tasks: 5, pass: 1 },
    ]);
    const long = 'x'.repeat(2000);
    const results = Array.from({ length: 300 }, (_, i) =>
      result({ suite: 'big', taskId: `t${299 - i}`, trajectory: [{ role: 'user', content: `${i}:${long}` }] }),
    );
    const outputFile = join(dir, 'big.json');
    const summary = summarize(runPlan, results);
    await feed(new JsonReporter({ outputFile }), results, summary, runPlan);
    const report = reportSchema.parse(JSON.parse(await readFile(outputFile, 'utf8')));
    const big = report.suites[0];
    expect(big?.tasks.map((t) => t.taskId)).toEqual(Array.from({ length: 300 }, (_, i) => `t${i}`));
    expect(big?.tasks[0]?.trajectory[0]?.content).toBe(`299:${long}`);
    expect(report.suites[1]).toMatchObject({ name: 'never started', tasks: [], summary: { tasks: 0 } });
  });

  it('serves several runs in a row (watch mode), each report holding only its own run', async () => {
    const { plan: runPlan, results } = scenario();
    const outputFile = join(dir, 'report.json');
    const reporter = new JsonReporter({ outputFile });
    await feed(reporter, results, summarize(runPlan, results), runPlan);
    const second = results.slice(0, 2);
    await feed(reporter, second, summarize(runPlan, second), runPlan);
    const report = reportSchema.parse(JSON.parse(await readFile(outputFile, 'utf8')));
    expect(report.suites.flatMap((s) => s.tasks)).toHaveLength(2);
    expect(await readdir(dir)).toEqual(['report.json']);
  });
});
