// Runner overhead through the whole CLI: 1,000 trivial one-step tasks, and the CLI's cold start.
// The env answers instantly, so the wall time is the runner's own cost (plus the CLI start).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist/cli/bin.js');
const TASKS = 1000;
const project = mkdtempSync(join(tmpdir(), 'se-bench-runner-'));
mkdirSync(join(project, 'node_modules'));
symlinkSync(root, join(project, 'node_modules/sandbox-eval'), 'dir');
writeFileSync(
  join(project, 'trivial.eval.ts'),
  `import { defineEval, defineEnvironment } from 'sandbox-eval';
const trivial = defineEnvironment({
  name: 'trivial',
  description: 'one step, reward 1',
  load: () => ({
    name: 'trivial',
    splits: () => ['all'],
    taskIds: () => Array.from({ length: ${TASKS} }, (_, k) => 't' + k),
    createInstance: ({ taskId, instanceId }) => ({
      initial: { state: [{ role: 'user', content: 'say ok' }], info: { instance_id: instanceId, task_id: taskId } },
      step: () => ({ state: [{ role: 'user', content: 'done' }], reward: 1, is_terminated: true, info: {} }),
      evaluate: () => 1,
    }),
  }),
});
export default defineEval({ name: 'trivial', dataset: trivial, split: 'all', agent: () => 'ok' });
`,
);

function time(args, runs) {
  const samples = [];
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    execFileSync(process.execPath, [bin, ...args], { cwd: project, stdio: 'ignore', env: { ...process.env, CI: 'true' } });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

try {
  const coldStartMs = time(['--version'], 7);
  const oneTaskMs = time(['-t', '^t0$'], 5);
  const fullMs = time(['--reporter', 'json', '--output-file', join(project, 'report.json')], 5);
  const overheadMs = fullMs - oneTaskMs;
  process.stdout.write(
    `${JSON.stringify({
      tasks: TASKS,
      cliColdStartMs: Math.round(coldStartMs),
      oneTaskRunMs: Math.round(oneTaskMs),
      thousandTaskRunMs: Math.round(fullMs),
      runnerOverheadMsFor1000Tasks: Math.round(overheadMs),
      tasksPerSecond: Math.round(TASKS / (overheadMs / 1000)),
      targets: { cliColdStartMs: 500, runnerOverheadMsFor1000Tasks: 1000 },
      note: 'medians of 5-7 runs; overhead = 1,000-task run minus 1-task run (both load the same eval file)',
    })}\n`,
  );
} finally {
  rmSync(project, { recursive: true, force: true });
}
