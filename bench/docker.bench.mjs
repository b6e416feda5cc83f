// The docker provider: time from nothing to the first step with the image present (engine check,
// container start, health wait, create, step), and the per-task overhead of a warm pool against the
// embedded provider. Needs a Docker engine and our image: SANDBOX_EVAL_TEST_REGISTRY (as set up by
// .ci/docker-setup.sh) or a local sandbox-eval/sandbox:<version>. Prints one JSON object.
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { builtinEnvironments } from '../dist/envs/builtins.js';
import { EnvironmentRegistry } from '../dist/envs/registry.js';
import { DockerProvider } from '../dist/providers/docker/docker-provider.js';
import { connectEngine } from '../dist/providers/docker/engine.js';
import { resolveImage } from '../dist/providers/docker/images.js';
import { ensureImage } from '../dist/providers/docker/pull.js';
import { EmbeddedProvider } from '../dist/providers/embedded.js';

const COLD_RUNS = 3;
const WARM_TASKS = 40;
const CONCURRENT_TASKS = 80;
const CONCURRENCY = 8;

const registry = process.env.SANDBOX_EVAL_TEST_REGISTRY;
const auth = { username: process.env.SANDBOX_EVAL_TEST_REGISTRY_USER ?? 'sandbox-eval', password: process.env.SANDBOX_EVAL_TEST_REGISTRY_PASSWORD ?? 'sandbox-eval-ci' };
const config = registry ? { registry, auth } : {};
const quiet = () => new PassThrough().resume();
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const p90 = (values) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.9))];
const round = (value) => Math.round(value * 10) / 10;

function skip(reason) {
  console.log(JSON.stringify({ bench: 'docker', skipped: reason }));
  process.exit(0);
}

let engine;
try {
  engine = await connectEngine({ timeoutMs: 5_000 });
} catch (error) {
  skip(error.message);
}
const image = resolveImage({ dataset: 'guess', config, arch: engine.arch });
try {
  // "with the image present": a pull, if needed, is not part of any figure
  await ensureImage({ engine, ref: image.ref, ...(registry ? { auth } : {}), log: () => undefined });
} catch (error) {
  skip(`image ${image.ref} is not available (${error.message.split('. ')[0]}); run .ci/docker-setup.sh`);
}

/** One short episode: create, one step, evaluate, release. */
async function episode(provider, k) {
  const sandbox = await provider.acquire('guess');
  try {
    const { info } = await sandbox.createInstance({ envType: 'guess', taskId: `guess_${60 + (k % 20)}`, instanceId: `bench-${k}-${Math.random().toString(36).slice(2)}` });
    await sandbox.step({ instanceId: info.instance_id, action: { role: 'assistant', content: '1' } });
    await sandbox.evaluate({ instanceId: info.instance_id, params: { sparse: false } });
    await sandbox.releaseInstance({ instanceId: info.instance_id });
  } finally {
    await provider.release(sandbox, { interrupted: false });
  }
}

async function perTask(provider) {
  for (let k = 0; k < 5; k += 1) await episode(provider, k); // warm-up: connections, JIT
  const times = [];
  for (let k = 0; k < WARM_TASKS; k += 1) {
    const started = performance.now();
    await episode(provider, k);
    times.push(performance.now() - started);
  }
  return times;
}

async function throughput(provider) {
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < CONCURRENT_TASKS) await episode(provider, next++);
  }));
  return CONCURRENT_TASKS / ((performance.now() - started) / 1000);
}

// cold: nothing running -> the first step answered
const cold = [];
const closes = [];
for (let run = 0; run < COLD_RUNS; run += 1) {
  const started = performance.now();
  const provider = new DockerProvider({ config, stderr: quiet() });
  await provider.init({ runId: `bench-cold-${Date.now()}-${run}`, datasets: ['guess'] });
  const sandbox = await provider.acquire('guess');
  const { info } = await sandbox.createInstance({ envType: 'guess', taskId: 'guess_60' });
  await sandbox.step({ instanceId: info.instance_id, action: { role: 'assistant', content: '1' } });
  cold.push(performance.now() - started);
  await provider.release(sandbox, { interrupted: false });
  const closing = performance.now();
  await provider.close({ keep: false });
  closes.push(performance.now() - closing);
}

// warm: one container, many episodes
const docker = new DockerProvider({ config, stderr: quiet() });
await docker.init({ runId: `bench-warm-${Date.now()}`, datasets: ['guess'] });
const dockerTimes = await perTask(docker);
const dockerRate = await throughput(docker);
await docker.close({ keep: false });

const embedded = new EmbeddedProvider({ registry: new EnvironmentRegistry(builtinEnvironments) });
await embedded.init({ runId: 'bench-embedded', datasets: ['guess'] });
const embeddedTimes = await perTask(embedded);
const embeddedRate = await throughput(embedded);
await embedded.close({ keep: false });

const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
console.log(
  JSON.stringify({
    bench: 'docker',
    sandboxEval: version,
    engine: `${engine.version} (${engine.arch})`,
    image: image.ref,
    coldStartToFirstStepMs: { median: round(median(cold)), runs: cold.map(round) },
    closeMs: { median: round(median(closes)) },
    warmTaskMs: { median: round(median(dockerTimes)), p90: round(p90(dockerTimes)), tasks: WARM_TASKS },
    embeddedTaskMs: { median: round(median(embeddedTimes)), p90: round(p90(embeddedTimes)), tasks: WARM_TASKS },
    warmOverheadPerTaskMs: round(median(dockerTimes) - median(embeddedTimes)),
    tasksPerSecond: { docker: round(dockerRate), embedded: round(embeddedRate), concurrency: CONCURRENCY, tasks: CONCURRENT_TASKS },
  }),
);
