// Load: N concurrent clients on loopback, each driving whole `guess` episodes (create, binary-search
// steps, evaluate, release) against our server in a child process, for a fixed time per level.
// Reports steps/s, episodes/s, latency percentiles of every call and of steps alone, and the server's
// CPU use, at 1, 16, 128 and 1,024 concurrent instances; then memory per live instance (guess and
// webshop). Prints one JSON object. Run `npm run build` first. LOAD_SECONDS sets the time per level.
import { availableParallelism } from 'node:os';
import { HttpSandbox } from '../dist/sandbox/http-client.js';
import { startServer } from './lib/server-process.mjs';

const LEVELS = (process.env.LOAD_LEVELS ?? '1,16,128,1024').split(',').map(Number);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 6);
const WARMUP_SECONDS = 1;

const round = (value, digits = 2) => Number(value.toFixed(digits));

function percentiles(samples, count) {
  const sorted = samples.subarray(0, count).sort();
  const at = (p) => round(sorted[Math.min(count - 1, Math.floor((p / 100) * count))] ?? 0);
  return { p50Ms: at(50), p95Ms: at(95), p99Ms: at(99), maxMs: round(sorted[count - 1] ?? 0) };
}

/** Latency samples kept in a fixed buffer: a long run cannot grow the bench's own heap. */
class Samples {
  constructor(size) {
    this.values = new Float64Array(size);
    this.count = 0;
    this.seen = 0;
  }
  add(ms) {
    // reservoir sampling once full, so the percentiles cover the whole run
    this.seen += 1;
    if (this.count < this.values.length) this.values[this.count++] = ms;
    else {
      const slot = Math.floor(Math.random() * this.seen);
      if (slot < this.values.length) this.values[slot] = ms;
    }
  }
}

/** One client: whole episodes in a loop until `deadline`, binary search on the env's hints. */
async function client(sandbox, index, deadline, stats) {
  let episode = 0;
  while (performance.now() < deadline) {
    const taskId = `guess_${(index * 7 + episode++) % 100}`;
    const timed = async (kind, call) => {
      const started = performance.now();
      const value = await call();
      const ms = performance.now() - started;
      stats.calls.add(ms);
      if (kind === 'step') stats.steps.add(ms);
      stats.count[kind] += 1;
      return value;
    };
    const initial = await timed('create', () => sandbox.createInstance({ envType: 'guess', taskId }));
    const instanceId = initial.info.instance_id;
    const [, , high] = /from (\d+) to (\d+)/.exec(initial.state.at(-1).content);
    let lo = 1;
    let hi = Number(high);
    for (;;) {
      const guess = Math.floor((lo + hi) / 2);
      const result = await timed('step', () => sandbox.step({ instanceId, action: { role: 'assistant', content: String(guess) } }));
      if (result.is_terminated) break;
      if (/higher/.test(result.state[0].content)) lo = guess + 1;
      else hi = guess - 1;
    }
    await timed('evaluate', () => sandbox.evaluate({ instanceId }));
    await timed('release', () => sandbox.releaseInstance({ instanceId }));
    stats.count.episodes += 1;
  }
}

async function level(server, concurrency) {
  // one keep-alive connection per client, as N separate clients would have
  const sandbox = new HttpSandbox({ url: server.url, connections: concurrency, retries: 0 });
  const fresh = () => ({ calls: new Samples(200_000), steps: new Samples(200_000), count: { create: 0, step: 0, evaluate: 0, release: 0, episodes: 0 } });
  try {
    const warm = fresh();
    const warmDeadline = performance.now() + WARMUP_SECONDS * 1000;
    await Promise.all(Array.from({ length: concurrency }, (_, k) => client(sandbox, k, warmDeadline, warm)));
    const stats = fresh();
    const cpuBefore = await server.cpu();
    const started = performance.now();
    const deadline = started + SECONDS * 1000;
    await Promise.all(Array.from({ length: concurrency }, (_, k) => client(sandbox, k, deadline, stats)));
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = await server.cpu();
    const serverCpuSeconds = (cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system) / 1e6;
    const calls = stats.count.create + stats.count.step + stats.count.evaluate + stats.count.release;
    return {
      concurrency,
      seconds: round(seconds, 1),
      stepsPerSec: Math.round(stats.count.step / seconds),
      callsPerSec: Math.round(calls / seconds),
      episodesPerSec: Math.round(stats.count.episodes / seconds),
      step: percentiles(stats.steps.values, stats.steps.count),
      anyCall: percentiles(stats.calls.values, stats.calls.count),
      serverCpuPercent: Math.round((100 * serverCpuSeconds) / seconds),
      serverCpuMicrosPerCall: round((serverCpuSeconds * 1e6) / calls, 1),
    };
  } finally {
    await sandbox.close();
  }
}

/** Server memory per live instance: heap and RSS growth over `count` instances held at once. */
async function memoryPerInstance(server, envType, taskIds, count) {
  const sandbox = new HttpSandbox({ url: server.url, connections: 32, retries: 0 });
  try {
    const before = await server.memory();
    const ids = [];
    for (let start = 0; start < count; start += 256) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(256, count - start) }, (_, k) => sandbox.createInstance({ envType, taskId: taskIds[(start + k) % taskIds.length] })),
      );
      ids.push(...batch.map((initial) => initial.info.instance_id));
    }
    const held = await server.memory();
    for (let start = 0; start < ids.length; start += 256) await Promise.all(ids.slice(start, start + 256).map((instanceId) => sandbox.releaseInstance({ instanceId })));
    return {
      envType,
      instances: count,
      heapBytesPerInstance: Math.round((held.heapUsed - before.heapUsed) / count),
      rssBytesPerInstance: Math.round((held.rss - before.rss) / count),
    };
  } finally {
    await sandbox.close();
  }
}

// LOAD_CPU_PROF=<dir> writes a CPU profile of the server (open it in Chrome DevTools)
const server = await startServer({ maxInstances: 20_000, ...(process.env.LOAD_CPU_PROF ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${process.env.LOAD_CPU_PROF}`] } : {}) });
const result = { bench: 'load', env: 'guess', node: process.version, cpus: availableParallelism(), secondsPerLevel: SECONDS, server: 'child process, loopback, keep-alive; client and server share the machine' };
try {
  result.levels = [];
  for (const concurrency of LEVELS) {
    result.levels.push(await level(server, concurrency));
    process.stderr.write(`load: ${JSON.stringify(result.levels.at(-1))}\n`);
  }
  const guessIds = Array.from({ length: 100 }, (_, k) => `guess_${k}`);
  const webshopIds = Array.from({ length: 100 }, (_, k) => `webshop_${k}`);
  result.memory = [await memoryPerInstance(server, 'guess', guessIds, 10_000), await memoryPerInstance(server, 'webshop', webshopIds, 2_000)];
  result.serverAfter = { ...(await server.metrics()), ...(await server.memory()) };
} finally {
  result.serverExitCode = await server.stop();
}
process.stdout.write(`${JSON.stringify(result)}\n`);
