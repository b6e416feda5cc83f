import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reportSchema } from '../../src/reporters/report-schema.js';
import { binPath, inlineEnvSource, runCli, tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

function tinySuite(agentBody: string, extra = ''): Record<string, string> {
  return {
    'tiny.ts': inlineEnvSource,
    'a.eval.ts': `import { defineEval } from 'sandbox-eval';
import { tiny } from './tiny.ts';
export default defineEval({ name: 'tiny suite', dataset: tiny(4), split: 'all', agent: ${agentBody} ${extra} });
`,
  };
}

function readReport(path: string) {
  return reportSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

describe('sandbox-eval run', () => {
  it('runs the suites, prints a summary and exits 0 when every task passes', async () => {
    project = tempProject(tinySuite(`() => 'ok'`));
    const result = await runCli(['--reporter', 'default', '--reporter', 'json', '--output-file.json=out/report.json'], { cwd: project.dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('tiny suite');
    const report = readReport(join(project.dir, 'out/report.json'));
    expect(report.summary).toMatchObject({ tasks: 4, passed: 4, failed: 0, errored: 0, meanReward: 1 });
    expect(report.suites[0]!.file).toBe('a.eval.ts');
    expect(report.suites[0]!.tasks.map((task) => task.taskId).sort()).toEqual(['t0', 't1', 't2', 't3']);
    expect(report.suites[0]!.tasks[0]!.trajectory.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('with `--reporter default --reporter json` and no file, stdout is pure JSON and the table goes to stderr', async () => {
    project = tempProject(tinySuite(`() => 'ok'`));
    const result = await runCli(['--reporter', 'default', '--reporter', 'json'], { cwd: project.dir });
    expect(result.code).toBe(0);
    expect(reportSchema.parse(JSON.parse(result.stdout)).summary.tasks).toBe(4);
    expect(result.stderr).toContain('tiny suite');
  });

  it('exits 1 when a task fails, and reports it as failed, not errored', async () => {
    project = tempProject(tinySuite(`({ task }) => (task.id === 't2' ? 'no' : 'ok')`));
    const result = await runCli(['--reporter', 'json', '--output-file', 'r.json'], { cwd: project.dir });
    expect(result.code).toBe(1);
    const report = readReport(join(project.dir, 'r.json'));
    expect(report.summary).toMatchObject({ tasks: 4, passed: 3, failed: 1, errored: 0, meanReward: 0.75 });
    const failed = report.suites[0]!.tasks.find((task) => task.taskId === 't2')!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toBeUndefined();
  });

  it('keeps agent errors, env errors and timeouts apart, and loses no other result', async () => {
    project = tempProject(
      tinySuite(`async ({ task, signal }) => {
  if (task.id === 't0') throw new Error('agent blew up');
  if (task.id === 't1') return 'crash';
  if (task.id === 't2') return new Promise((resolve) => signal.addEventListener('abort', () => resolve('late')));
  return 'ok';
}`, ', timeoutMs: 300'),
    );
    const result = await runCli(['--reporter', 'json', '--output-file', 'r.json'], { cwd: project.dir });
    const report = readReport(join(project.dir, 'r.json'));
    const byId = Object.fromEntries(report.suites[0]!.tasks.map((task) => [task.taskId, task]));
    expect(byId.t0!.error).toMatchObject({ kind: 'agent', message: 'agent blew up' });
    expect(byId.t1!.error?.kind).toBe('env');
    expect(byId.t1!.error?.message).toContain('env exploded on purpose');
    expect(byId.t2!.error?.kind).toBe('timeout');
    expect(byId.t3!.status).toBe('passed');
    expect(report.summary).toMatchObject({ tasks: 4, passed: 1, errored: 3 });
    // an environment failure is not the agent's fault: exit 2
    expect(result.code).toBe(2);
  });

  it('exits 1 (not 2) when only the agent errors', async () => {
    project = tempProject(tinySuite(`({ task }) => { if (task.id === 't1') throw new Error('nope'); return 'ok'; }`));
    const result = await runCli(['--reporter', 'json', '--output-file', 'r.json'], { cwd: project.dir });
    expect(result.code).toBe(1);
    expect(readReport(join(project.dir, 'r.json')).summary.errored).toBe(1);
  });

  it('rejects an agent answer of the wrong shape as an agent error that says what was expected', async () => {
    project = tempProject(tinySuite(`() => ({ role: 'user', content: 42 }) as never`));
    const result = await runCli(['--reporter', 'json', '--output-file', 'r.json'], { cwd: project.dir });
    const task = readReport(join(project.dir, 'r.json')).suites[0]!.tasks[0]!;
    expect(task.error?.kind).toBe('agent');
    expect(task.error?.message).toContain("expected a string or an assistant message");
    expect(result.code).toBe(1);
  });

  it('treats a run that selects no task as a usage error (exit 3)', async () => {
    project = tempProject(tinySuite(`() => 'ok'`));
    const result = await runCli(['-t', 'nothing-matches'], { cwd: project.dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('No task selected matching --task nothing-matches');
    expect(result.stderr).toContain('[SE_NO_TASKS]');
  });

  it('filters tasks with -t and files with positional filters', async () => {
    project = tempProject({ ...tinySuite(`() => 'ok'`), 'b.eval.ts': `export default { name: 'other', dataset: 'guess', split: 'val', agent: 'oracle' };` });
    const result = await runCli(['a.eval', '-t', '^t[12]$', '--reporter', 'json', '--output-file', 'r.json'], { cwd: project.dir });
    expect(result.code).toBe(0);
    const report = readReport(join(project.dir, 'r.json'));
    expect(report.suites.map((suite) => suite.name)).toEqual(['tiny suite']);
    expect(report.suites[0]!.tasks.map((task) => task.taskId).sort()).toEqual(['t1', 't2']);
  });

  it('reads the config from eval.config.json or the "sandbox-eval" key of package.json', async () => {
    const suiteFile = { 'evals/g.eval.ts': `export default { name: 'g', dataset: 'guess', split: 'val', agent: 'oracle' };`, 'other/x.eval.ts': `export default { name: 'x', dataset: 'nope', split: 'val', agent: 'oracle' };` };
    project = tempProject({ ...suiteFile, 'eval.config.json': JSON.stringify({ include: ['evals/**/*.eval.ts'], reporters: [{ name: 'json', outputFile: 'j.json' }] }) });
    expect((await runCli([], { cwd: project.dir })).code).toBe(0);
    expect(readReport(join(project.dir, 'j.json')).summary.tasks).toBe(20);
    project.remove();

    project = tempProject({ ...suiteFile, 'package.json': JSON.stringify({ name: 'p', type: 'module', 'sandbox-eval': { include: ['evals/**/*.eval.ts'], reporters: [{ name: 'json', outputFile: 'p.json' }] } }) });
    expect((await runCli([], { cwd: project.dir })).code).toBe(0);
    expect(readReport(join(project.dir, 'p.json')).summary.tasks).toBe(20);
  });

  it('fails with exit 3 and names the key when the config is wrong', async () => {
    project = tempProject({ ...tinySuite(`() => 'ok'`), 'eval.config.ts': `export default { concurrency: 0, reporter: ['json'] };` });
    const result = await runCli([], { cwd: project.dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('`concurrency`: Expected an integer ≥ 1, got `0` (number)');
    expect(result.stderr).toContain('Unknown key `reporter` (`reporter` is spelled `reporters`)');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace for a user error
  });

  it('fails with exit 3, not a crash, when package.json is not JSON', async () => {
    project = tempProject({ ...tinySuite(`() => 'ok'`), 'package.json': '{ "name": "x", \n' });
    const result = await runCli([], { cwd: project.dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`Could not load eval.config in ${project.dir}: JSON Error in ${project.dir}/package.json`);
    expect(result.stderr).not.toContain('This is a bug');
  });

  it('fails with exit 3 when a suite names an unknown dataset, listing the known ones', async () => {
    project = tempProject({ 'x.eval.ts': `export default { name: 'x', dataset: 'nope', split: 'val', agent: 'oracle' };` });
    const result = await runCli([], { cwd: project.dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Unknown dataset "nope". Known: ');
    expect(result.stderr).toContain('guess');
  });

  it('fails with exit 3 when an eval file exports no suite', async () => {
    project = tempProject({ 'x.eval.ts': `export const notDefault = 1;` });
    const result = await runCli([], { cwd: project.dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('x.eval.ts has no default export');
  });

  it('runs ad hoc with a built-in agent and with an agent module path', async () => {
    project = tempProject({
      'my-agent.ts': `import type { Agent } from 'sandbox-eval';
const agent: Agent = ({ messages }) => { const hints = messages.filter((m) => m.content.includes('is wrong')).length; return String(hints + 1); };
export default agent;`,
    });
    const oracle = await runCli(['run', '--dataset', 'guess', '--split', 'val', '--agent', 'oracle', '--reporter', 'json', '--output-file', 'o.json'], { cwd: project.dir });
    expect(oracle.code).toBe(0);
    expect(readReport(join(project.dir, 'o.json')).summary).toMatchObject({ tasks: 20, passed: 20 });

    const linear = await runCli(['run', '--dataset', 'guess', '--split', 'val', '--agent', './my-agent.ts', '--limit', '3', '--reporter', 'json', '--output-file', 'l.json'], { cwd: project.dir });
    const report = readReport(join(project.dir, 'l.json'));
    expect(report.summary.tasks).toBe(3);
    expect(report.summary.errored).toBe(0);
    expect(report.summary.meanReward).toBeLessThan(1); // linear search is slower than the oracle
    expect([0, 1]).toContain(linear.code);
  });

  it('names the built-in agents when --agent is unknown', async () => {
    project = tempProject();
    const result = await runCli(['run', '--dataset', 'guess', '--split', 'val', '--agent', 'orcale'], { cwd: project.dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Unknown agent "orcale"');
    expect(result.stderr).toContain('oracle');
  });

  it('rejects unknown flags and bad values with exit 3', async () => {
    project = tempProject();
    const unknown = await runCli(['--concurency', '2'], { cwd: project.dir });
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('Unknown option --concurency. Did you mean --concurrency?');
    const bad = await runCli(['run', '--dataset', 'guess', '--split', 'val', '--agent', 'oracle', '--concurrency', 'many'], { cwd: project.dir });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('Expected `--concurrency` to be an integer, got `"many"` (string)');
    const split = await runCli(['run', '--dataset', 'guess', '--split', 'nope', '--agent', 'oracle'], { cwd: project.dir });
    expect(split.code).toBe(3);
    expect(split.stderr).toContain('Dataset "guess" has no split "nope". Known splits: train, val, test.');
  });

  it('stops on Ctrl-C with exit 130, and the report keeps every finished task', async () => {
    project = tempProject(tinySuite(`async ({ task, signal }) => {
  if (Number(task.id.slice(1)) < 2) return 'ok';
  process.stderr.write('slow task waiting\\n');
  await new Promise((resolve) => { const t = setTimeout(resolve, 60_000); signal.addEventListener('abort', () => { clearTimeout(t); resolve(undefined); }); });
  return 'ok';
}`, ', timeoutMs: 120_000'));
    const result = await runCli(['--concurrency', '4', '--reporter', 'default', '--reporter', 'json', '--output-file.json=r.json'], {
      cwd: project.dir,
      onSpawn: (child) => {
        // interrupt once the slow tasks are waiting (the quick ones have finished by then)
        let interrupted = false;
        child.stderr?.on('data', (chunk: Buffer) => {
          if (!interrupted && chunk.toString().includes('slow task waiting')) {
            interrupted = true;
            setTimeout(() => child.kill('SIGINT'), 300);
          }
        });
      },
    });
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('interrupted');
    const report = readReport(join(project.dir, 'r.json'));
    expect(report.summary.tasks).toBe(2);
    expect(report.suites[0]!.tasks.every((task) => task.status === 'passed')).toBe(true);
  });
});

describe('the bin', () => {
  it('is an executable script with a node shebang, so `npx sandbox-eval` can run it', () => {
    // tsc writes files without the executable bit: the build script sets it
    expect(statSync(binPath).mode & 0o111).toBe(0o111);
    expect(readFileSync(binPath, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});

describe('sandbox-eval datasets', () => {
  it('lists env types, splits and task counts', async () => {
    project = tempProject();
    const result = await runCli(['datasets', '--json'], { cwd: project.dir });
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as Array<{ name: string; splits: Record<string, number> }>;
    expect(rows.find((row) => row.name === 'guess')?.splits).toEqual({ train: 60, val: 20, test: 20 });
  });
});
