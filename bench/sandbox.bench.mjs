// Per-step overhead of a Sandbox: in-process, and over HTTP loopback to our server running in a
// separate process (as in production). Uses the `guess` env with an action it rejects ("Invalid
// action"), so episodes never end and every step is pure protocol + instance-manager cost.
// Prints one JSON object. Run `npm run build` first (imports ../dist).
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { builtinEnvironments } from '../dist/envs/builtins.js';
import { EnvironmentRegistry } from '../dist/envs/registry.js';
import { HttpSandbox } from '../dist/sandbox/http-client.js';
import { InProcessSandbox } from '../dist/sandbox/in-process.js';
import { InstanceManager } from '../dist/sandbox/instance-manager.js';

const ACTION = { role: 'assistant', content: 'no number here' };

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const round = (value, digits = 3) => Number(value.toFixed(digits));

/** `concurrency` workers, each stepping its own instance, `steps` steps in total. */
async function measure(sandbox, { concurrency, steps, warmup }) {
  const ids = [];
  for (let k = 0; k < concurrency; k += 1) {
    ids.push((await sandbox.createInstance({ envType: 'guess', taskId: `guess_${k}` })).info.instance_id);
  }
  const run = async (total, latencies) => {
    let left = total;
    await Promise.all(
      ids.map(async (instanceId) => {
        while (left > 0) {
          left -= 1;
          const start = performance.now();
          await sandbox.step({ instanceId, action: ACTION });
          latencies?.push(performance.now() - start);
        }
      }),
    );
  };
  await run(warmup);
  const latencies = [];
  const started = performance.now();
  await run(steps, latencies);
  const seconds = (performance.now() - started) / 1000;
  for (const instanceId of ids) await sandbox.releaseInstance({ instanceId });
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    steps,
    stepsPerSec: Math.round(steps / seconds),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
  };
}

/** Our server in a child process, so client and server each get a core as they would in production. */
async function startServer() {
  const serverModule = fileURLToPath(new URL('../dist/sandbox/http-server.js', import.meta.url));
  const registryModule = fileURLToPath(new URL('../dist/envs/registry.js', import.meta.url));
  const builtinsModule = fileURLToPath(new URL('../dist/envs/builtins.js', import.meta.url));
  const script = `
    const { serve } = await import(${JSON.stringify(serverModule)});
    const { EnvironmentRegistry } = await import(${JSON.stringify(registryModule)});
    const { builtinEnvironments } = await import(${JSON.stringify(builtinsModule)});
    const handle = await serve({ port: 0, registry: new EnvironmentRegistry(builtinEnvironments), handleSignals: true });
    process.stdout.write(handle.url + '\\n');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

const result = { bench: 'sandbox', env: 'guess', node: process.version, cpus: availableParallelism() };

const inProcess = new InProcessSandbox({ manager: new InstanceManager({ registry: new EnvironmentRegistry(builtinEnvironments) }) });
result.inProcess = {
  c1: await measure(inProcess, { concurrency: 1, steps: 100_000, warmup: 10_000 }),
  c16: await measure(inProcess, { concurrency: 16, steps: 200_000, warmup: 20_000 }),
};
await inProcess.close();

const server = await startServer();
try {
  const http = new HttpSandbox({ url: server.url });
  result.http = {
    server: 'separate process, loopback, keep-alive',
    c1: await measure(http, { concurrency: 1, steps: 10_000, warmup: 1_000 }),
    c16: await measure(http, { concurrency: 16, steps: 40_000, warmup: 4_000 }),
  };
  await http.close();
} finally {
  await server.stop();
}
result.target = { httpStepsPerSecC16: 5_000, met: result.http.c16.stepsPerSec >= 5_000 };

process.stdout.write(`${JSON.stringify(result)}\n`);
