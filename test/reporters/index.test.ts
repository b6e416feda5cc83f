import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ReporterError, UnknownReporterError } from '../../src/errors.js';
import {
  builtinReporters,
  DefaultReporter,
  JsonReporter,
  JUnitReporter,
  ReporterSet,
  resolveReporters,
  type Reporter,
} from '../../src/reporters/index.js';
import { reportSchema } from '../../src/reporters/report-schema.js';
import { Capture, plan, result, summarize } from './fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'se-reporters-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const runPlan = plan([{ name: 's', dataset: 'd', split: 'x', tasks: 1, pass: 1 }]);
const oneResult = result({ suite: 's', dataset: 'd', split: 'x', taskId: 't1' });
const summary = summarize(runPlan, [oneResult]);

async function drive(reporter: Reporter): Promise<void> {
  await reporter.onRunStart?.(runPlan);
  await reporter.onTaskEnd?.(oneResult);
  await reporter.onRunEnd?.(summary, 'passed');
}

describe('resolveReporters', () => {
  it('builds the built-in reporters, resolving output files against cwd', async () => {
    const stdout = new Capture();
    const reporters = await resolveReporters({
      specs: [{ name: 'default' }, { name: 'json', outputFile: 'out/report.json' }, { name: 'junit', outputFile: 'out/junit.xml' }],
      cwd: dir,
      stdout,
      stderr: stdout,
    });
    expect(reporters.map((r) => r.constructor)).toEqual([DefaultReporter, JsonReporter, JUnitReporter]);
    expect(Object.keys(builtinReporters)).toEqual(['default', 'json', 'junit', 'html', 'github']);
    await drive(new ReporterSet(reporters));
    expect(reportSchema.parse(JSON.parse(await readFile(join(dir, 'out/report.json'), 'utf8'))).summary.tasks).toBe(1);
    expect(await readFile(join(dir, 'out/junit.xml'), 'utf8')).toContain('<testcase name="t1" classname="s"');
    expect(stdout.text).toContain('every task passed');
  });

  it('rejects an unknown name, listing the known ones', async () => {
    const attempt = resolveReporters({ specs: [{ name: 'tap' }], cwd: dir });
    await expect(attempt).rejects.toBeInstanceOf(UnknownReporterError);
    await expect(attempt).rejects.toMatchObject({
      code: 'SE_UNKNOWN_REPORTER',
      exitCode: 3,
      message: expect.stringContaining('Known: default, json, junit'),
    });
  });

  it('loads custom reporters: a class (.mjs), a factory (.ts), a CommonJS object (.cjs)', async () => {
    await writeFile(
      join(dir, 'class-reporter.mjs'),
      `export default class Recorder {
        constructor(context) { this.context = context; this.events = []; }
        onRunStart(plan) { this.events.push('start:' + plan.runId); }
        onRunEnd(summary, reason) { this.context.stdout.write('class saw ' + summary.summary.tasks + ' ' + reason + ' -> ' + this.context.outputFile + '\\n'); }
      }\n`,
    );
    await writeFile(
      join(dir, 'factory-reporter.ts'),
      `interface Context { stdout: { write(text: string): unknown } }
      export default async function create(context: Context) {
        const ids: string[] = [];
        return {
          onTaskEnd(result: { taskId: string }): void { ids.push(result.taskId); },
          onRunEnd(): void { context.stdout.write('factory saw ' + ids.join(',') + '\\n'); },
        };
      }\n`,
    );
    await writeFile(join(dir, 'object-reporter.cjs'), `module.exports = { onTaskEnd(result) { globalThis.__seSeen = result.taskId; } };\n`);

    const stdout = new Capture();
    const reporters = await resolveReporters({
      specs: [
        { name: './class-reporter.mjs', outputFile: 'x.txt' },
        { name: join(dir, 'factory-reporter.ts') },
        { name: './object-reporter.cjs' },
      ],
      cwd: dir,
      stdout,
      stderr: stdout,
    });
    await drive(new ReporterSet(reporters));
    expect(stdout.text).toContain(`class saw 1 passed -> ${join(dir, 'x.txt')}`);
    expect(stdout.text).toContain('factory saw t1');
    expect((globalThis as { __seSeen?: string }).__seSeen).toBe('t1');
    expect((reporters[0] as unknown as { events: string[] }).events).toEqual(['start:run-1']);
  });

  it('explains a module that cannot be loaded or gives no reporter', async () => {
    await writeFile(join(dir, 'none.mjs'), 'export const notDefault = 1;\n');
    await writeFile(join(dir, 'hookless.mjs'), 'export default { name: "x" };\n');
    await writeFile(join(dir, 'bad-hook.mjs'), 'export default { onRunEnd: 5 };\n');
    const load = (name: string) => resolveReporters({ specs: [{ name }], cwd: dir });

    await expect(load('./missing.mjs')).rejects.toThrow(/Cannot load reporter module .*missing\.mjs/);
    await expect(load('./missing.mjs')).rejects.toMatchObject({ code: 'SE_CONFIG_INVALID', cause: expect.anything() });
    await expect(load('./none.mjs')).rejects.toThrow('has no default export');
    await expect(load('./hookless.mjs')).rejects.toThrow('gives a reporter with no hooks');
    await expect(load('./bad-hook.mjs')).rejects.toThrow('has a `onRunEnd` that is not a function');
    await expect(load('./none.mjs')).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('ReporterSet', () => {
  it('calls every reporter in order and awaits each', async () => {
    const order: string[] = [];
    const slow: Reporter = {
      async onTaskEnd(r) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(`slow:${r.taskId}`);
      },
    };
    const fast: Reporter = { onTaskEnd: (r) => void order.push(`fast:${r.taskId}`) };
    await new ReporterSet([slow, fast]).onTaskEnd(oneResult);
    expect(order).toEqual(['slow:t1', 'fast:t1']);
  });

  it('still feeds the other reporters when one throws, then rethrows as ReporterError', async () => {
    const outputFile = join(dir, 'report.json');
    class Broken implements Reporter {
      onRunEnd(): void {
        throw new Error('disk on fire');
      }
    }
    const set = new ReporterSet([new Broken(), new JsonReporter({ outputFile })]);
    await set.onRunStart(runPlan);
    await set.onTaskEnd(oneResult);
    const attempt = set.onRunEnd(summary, 'passed');
    await expect(attempt).rejects.toBeInstanceOf(ReporterError);
    await expect(attempt).rejects.toMatchObject({
      code: 'SE_REPORTER_FAILED',
      message: expect.stringContaining('Broken: disk on fire (in onRunEnd)'),
      cause: expect.objectContaining({ message: 'disk on fire' }),
    });
    // the JSON reporter after the broken one wrote its report all the same
    expect(reportSchema.parse(JSON.parse(await readFile(outputFile, 'utf8'))).summary.tasks).toBe(1);
  });

  it('reports several failures together', async () => {
    const set = new ReporterSet([
      { onRunStart: () => Promise.reject(new Error('one')) },
      { onRunStart: () => { throw new Error('two'); } },
    ]);
    const error = await set.onRunStart(runPlan).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ReporterError);
    expect((error as Error).message).toBe('2 reporters failed in onRunStart: reporter #1: one; reporter #2: two. The other reporters ran.');
    expect((error as Error).cause).toBeInstanceOf(AggregateError);
  });
});
