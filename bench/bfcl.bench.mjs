/**
 * BFCL benchmark: ground-truth replay of every multi_turn_base entry through the Environment API
 * (create, oracle steps, BFCL grading), the checker alone, and memory per live instance.
 * Reads BFCL_DATA_DIR (default ../shared/data/bfcl from the repo root). Prints one JSON object.
 * Run after `npm run build`: node bench/bfcl.bench.mjs
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { checkEntry, loadBfclEnvironment } from '../dist/envs/bfcl/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const REPLAY_SECONDS = 4;
const CHECKER_SECONDS = 2;
const LIVE_INSTANCES = 10_000;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = resolve(process.env.BFCL_DATA_DIR ?? resolve(repoRoot, '../shared/data/bfcl'));
if (!existsSync(dataDir)) {
  console.error(`bfcl bench: no BFCL data at ${dataDir}; set BFCL_DATA_DIR to a bfcl_eval/data directory.`);
  process.exit(2);
}

const loadStart = performance.now();
const env = loadBfclEnvironment({ dataDir });
const loadMs = performance.now() - loadStart;
const ids = env.taskIds('multi_turn_base');
const oracle = env.agents.oracle;
const signal = new AbortController().signal;

/** One episode with the oracle; everything here is synchronous, so no awaits on the hot path. */
function replay(id) {
  const instance = env.createInstance({ taskId: id, instanceId: id, params: {} });
  const messages = [...instance.initial.state];
  let steps = 0;
  for (;;) {
    const content = oracle({ messages, task: { dataset: 'bfcl', split: 'multi_turn_base', id, trial: 0 }, step: steps, signal });
    const action = { role: 'assistant', content };
    messages.push(action);
    const result = instance.step(action, {});
    steps += 1;
    messages.push(...result.state);
    if (result.is_terminated) {
      if (result.reward !== 1) throw new Error(`${id}: oracle reward ${result.reward}`);
      return steps;
    }
  }
}

function timed(seconds, pass) {
  const start = performance.now();
  let passes = 0;
  let work = 0;
  while (performance.now() - start < seconds * 1000) {
    work += pass();
    passes += 1;
  }
  return { passes, work, seconds: (performance.now() - start) / 1000 };
}

const calls = ids.reduce((total, id) => total + env.entry(id).groundTruth.flat().length, 0);

// warm-up pass, then the timed passes
for (const id of ids) replay(id);
const replayRun = timed(REPLAY_SECONDS, () => ids.reduce((steps, id) => steps + replay(id), 0));

const groundTruth = ids.map((id) => {
  const entry = env.entry(id);
  return { entry, turns: entry.groundTruth.map((turn) => [turn.map(({ call }) => call)]) };
});
const checkerRun = timed(CHECKER_SECONDS, () => {
  for (const { entry, turns } of groundTruth) if (!checkEntry(entry, turns, { longContext: undefined }).valid) throw new Error(`${entry.id} failed`);
  return groundTruth.length;
});

function memory() {
  gc();
  gc();
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed, rss };
}

const before = memory();
const live = [];
for (let i = 0; i < LIVE_INSTANCES; i += 1) {
  const id = ids[i % ids.length];
  live.push(env.createInstance({ taskId: id, instanceId: `live-${i}`, params: {} }));
}
const created = memory();
// one oracle step each: the first turn's calls run, so the backends hold live state
for (let i = 0; i < live.length; i += 1) {
  const instance = live[i];
  const id = ids[i % ids.length];
  const content = oracle({ messages: [...instance.initial.state], task: { dataset: 'bfcl', split: 'multi_turn_base', id, trial: 0 }, step: 0, signal });
  instance.step({ role: 'assistant', content }, {});
}
const stepped = memory();
const mib = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;

console.log(
  JSON.stringify({
    benchmark: 'bfcl',
    dataDir,
    node: process.version,
    loadMs: Math.round(loadMs),
    entries: ids.length,
    groundTruthCalls: calls,
    replay: {
      description: 'create + oracle steps + BFCL grading, every multi_turn_base entry, single thread',
      passes: replayRun.passes,
      seconds: Math.round(replayRun.seconds * 100) / 100,
      entriesPerSecond: Math.round((replayRun.passes * ids.length) / replayRun.seconds),
      stepsPerSecond: Math.round(replayRun.work / replayRun.seconds),
      groundTruthCallsPerSecond: Math.round((replayRun.passes * calls) / replayRun.seconds),
    },
    checkerOnly: {
      description: 'checkEntry with the ground truth as the model answer (both sides replayed), as BFCL grading does',
      entriesPerSecond: Math.round(checkerRun.work / checkerRun.seconds),
    },
    memory: {
      liveInstances: LIVE_INSTANCES,
      created: { heapMiB: mib(created.heapUsed - before.heapUsed), rssMiB: mib(created.rss - before.rss), heapBytesPerInstance: Math.round((created.heapUsed - before.heapUsed) / LIVE_INSTANCES) },
      afterFirstStep: { heapMiB: mib(stepped.heapUsed - before.heapUsed), rssMiB: mib(stepped.rss - before.rss), heapBytesPerInstance: Math.round((stepped.heapUsed - before.heapUsed) / LIVE_INSTANCES) },
    },
  }),
);
// keep the instances reachable until measured
if (live.length !== LIVE_INSTANCES) process.exitCode = 1;
