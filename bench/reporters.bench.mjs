// File reporters under load: N finished tasks with ~10 KB trajectories, interleaved across 4 suites,
// fed to the JSON and JUnit reporters. Reports throughput and how much the heap grew while the
// results were held (it should stay flat: reporters spool to disk). Prints one JSON object.
// Run `npm run build` first (imports ../dist).
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonReporter } from '../dist/reporters/json.js';
import { JUnitReporter } from '../dist/reporters/junit.js';

const TASKS = 20_000;
const SUITES = 4;
const TRAJECTORY_BYTES = 10_000;
const round = (value, digits = 1) => Number(value.toFixed(digits));
const gc = () => globalThis.gc?.();

const suites = Array.from({ length: SUITES }, (_, i) => ({ name: `suite-${i}`, dataset: 'guess', split: 'test', tasks: TASKS / SUITES, pass: 1 }));
const plan = { runId: 'bench', startedAt: new Date().toISOString(), suites, total: TASKS, concurrency: 16, provider: 'embedded' };
const filler = 'x'.repeat(TRAJECTORY_BYTES / 4);

function resultFor(i) {
  const suite = suites[i % SUITES];
  const status = i % 10 === 0 ? 'failed' : i % 37 === 0 ? 'errored' : 'passed';
  return {
    suite: suite.name, dataset: suite.dataset, split: suite.split, taskId: `task_${TASKS - i}`, trial: 0,
    reward: status === 'passed' ? 1 : 0, status, steps: 4, durationMs: 1000 + (i % 500),
    ...(status === 'errored' ? { error: { kind: 'timeout', message: 'Agent exceeded 60s' } } : {}),
    trajectory: [0, 1, 2, 3].map((k) => ({ role: k % 2 ? 'assistant' : 'user', content: `${i}:${k}:${filler}` })),
  };
}

function summary() {
  const tally = { tasks: TASKS, passed: 0, failed: 0, errored: 0, meanReward: 0 };
  return { runId: 'bench', startedAt: plan.startedAt, durationMs: 1, summary: tally, suites: suites.map((s) => ({ ...s, ...tally, durationMs: 1 })) };
}

async function measure(name, Reporter) {
  const dir = await mkdtemp(join(tmpdir(), 'se-bench-'));
  const outputFile = join(dir, `report.${name}`);
  try {
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const reporter = new Reporter({ outputFile });
    const started = performance.now();
    await reporter.onRunStart(plan);
    let inFlight = [];
    for (let i = 0; i < TASKS; i += 1) {
      inFlight.push(reporter.onTaskEnd(resultFor(i)));
      if (inFlight.length >= 16) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    const fed = performance.now();
    gc();
    const heapGrowthMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
    await reporter.onRunEnd(summary(), 'passed');
    const ended = performance.now();
    return {
      tasks: TASKS,
      suites: SUITES,
      trajectoryBytes: TRAJECTORY_BYTES,
      feedMs: round(fed - started),
      writeMs: round(ended - fed),
      tasksPerSecond: Math.round(TASKS / ((ended - started) / 1000)),
      heapGrowthWhileHoldingMiB: round(heapGrowthMiB),
      outputMiB: round((await stat(outputFile)).size / 2 ** 20),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const json = await measure('json', JsonReporter);
const junit = await measure('xml', JUnitReporter);
process.stdout.write(`${JSON.stringify({ json, junit, gcExposed: typeof globalThis.gc === 'function' })}\n`);
