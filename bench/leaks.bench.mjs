// Leaks: 10,000 create/step/evaluate/release cycles and 10,000 instances expired by the idle timeout,
// against our server in a child process (over HTTP) and against an InstanceManager in this process.
// Two rounds of both after a warm-up; heap and RSS measured after full GCs. Margin: the heap back
// within 1 MiB of its baseline after each round, and RSS not growing by more than 4 MiB from the first
// round to the second (the first may grow it once to a plateau). Prints one JSON object.
// Needs --expose-gc (bench/run.mjs passes it).
import { availableParallelism } from 'node:os';
import { builtinEnvironments } from '../dist/envs/builtins.js';
import { EnvironmentRegistry } from '../dist/envs/registry.js';
import { HttpSandbox } from '../dist/sandbox/http-client.js';
import { InProcessSandbox } from '../dist/sandbox/in-process.js';
import { InstanceManager } from '../dist/sandbox/instance-manager.js';
import { startServer } from './lib/server-process.mjs';

const CYCLES = 10_000;
const EXPIRED = 10_000;
const MARGIN = { heapBytes: 1 << 20, rssBytes: 4 << 20 };
const MiB = (bytes) => Number((bytes / 2 ** 20).toFixed(2));

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

async function localMemory() {
  globalThis.gc();
  await new Promise((resolve) => setImmediate(resolve));
  globalThis.gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

async function cycles(sandbox, count, concurrency) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (next < count) {
        const k = next++;
        const { info } = await sandbox.createInstance({ envType: 'guess', taskId: `guess_${(k + worker) % 100}` });
        await sandbox.step({ instanceId: info.instance_id, action: { role: 'assistant', content: String(k % 50) } });
        await sandbox.evaluate({ instanceId: info.instance_id });
        await sandbox.releaseInstance({ instanceId: info.instance_id });
      }
    }),
  );
}

async function createMany(sandbox, count) {
  for (let start = 0; start < count; start += 200) {
    await Promise.all(Array.from({ length: Math.min(200, count - start) }, (_, k) => sandbox.createInstance({ envType: 'guess', taskId: `guess_${(start + k) % 100}` })));
  }
}

async function waitFor(check, ms) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** One round: CYCLES cycles, then EXPIRED instances left to the idle timeout. */
async function round({ sandbox, memory, metrics, idleTimeoutMs }) {
  const started = performance.now();
  await cycles(sandbox, CYCLES, 16);
  const cyclesSeconds = (performance.now() - started) / 1000;
  const afterCycles = await memory();
  const before = await metrics();
  await createMany(sandbox, EXPIRED);
  const peak = await memory();
  const expiredAll = await waitFor(async () => {
    const now = await metrics();
    return now.expired - before.expired >= EXPIRED && now.live === 0;
  }, idleTimeoutMs * 4 + 10_000);
  return { cyclesSeconds, afterCycles, peak, expiredAll, afterExpiry: await memory() };
}

/**
 * Two rounds after a warm-up. The heap must come back to the baseline; RSS must not grow from the
 * first round to the second (the first one may grow it once: V8's young generation and the
 * allocator keep pages they grew into, a plateau rather than a leak).
 */
async function phases(side) {
  await cycles(side.sandbox, 1_000, 16); // warm-up: JIT, pools, connections
  const baseline = await side.memory();
  const first = await round(side);
  const second = await round(side);
  const heapDelta = (after) => after.heapUsed - baseline.heapUsed;
  const rssGrowth = second.afterExpiry.rss - first.afterExpiry.rss;
  return {
    baselineHeapMiB: MiB(baseline.heapUsed),
    baselineRssMiB: MiB(baseline.rss),
    cycles: { count: CYCLES, seconds: Number(first.cyclesSeconds.toFixed(1)), heapDeltaMiB: MiB(heapDelta(second.afterCycles)) },
    expiry: { count: EXPIRED, expiredAll: first.expiredAll && second.expiredAll, heapAtPeakMiB: MiB(first.peak.heapUsed), heapDeltaMiB: MiB(heapDelta(second.afterExpiry)) },
    rss: { firstRoundDeltaMiB: MiB(first.afterExpiry.rss - baseline.rss), secondRoundDeltaMiB: MiB(rssGrowth) },
    withinMargin:
      heapDelta(second.afterCycles) <= MARGIN.heapBytes && heapDelta(second.afterExpiry) <= MARGIN.heapBytes && rssGrowth <= MARGIN.rssBytes,
    metrics: await side.metrics(),
  };
}

const result = { bench: 'leaks', node: process.version, cpus: availableParallelism(), margin: { heapMiB: MiB(MARGIN.heapBytes), rssGrowthPerRoundMiB: MiB(MARGIN.rssBytes) } };

const server = await startServer({ idleTimeoutMs: 1_000 });
const client = new HttpSandbox({ url: server.url, connections: 16 });
try {
  result.http = await phases({ sandbox: client, memory: () => server.memory(), metrics: () => server.metrics(), idleTimeoutMs: 1_000 });
} finally {
  await client.close();
  await server.stop();
}

const manager = new InstanceManager({ registry: new EnvironmentRegistry(builtinEnvironments), idleTimeoutMs: 300, sweepIntervalMs: 50 });
const local = new InProcessSandbox({ manager });
try {
  result.inProcess = await phases({ sandbox: local, memory: localMemory, metrics: () => manager.metrics, idleTimeoutMs: 300 });
} finally {
  await local.close();
}

const all = [result.http, result.inProcess];
result.met = all.every((side) => side.withinMargin && side.expiry.expiredAll && side.metrics.live === 0);
process.stdout.write(`${JSON.stringify(result)}\n`);
