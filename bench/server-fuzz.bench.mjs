// 100,000 generated requests (test/hardening/server-fuzz-harness.ts, the generator `npm test` runs
// 2,000 of) against our server in a child process: malformed JSON, wrong types, huge bodies, unknown
// ids, prototype keys, raw malformed HTTP, concurrent calls and releases on one instance. Reports
// crashes, answers that broke the rules (not a 4xx/5xx JSON {detail, code}, a stack trace, a path),
// internal errors the server reported, prototype pollution, and whether it still serves afterwards.
// Prints one JSON object. Run `npm run build` first (the server is ../dist). FUZZ_REQUESTS overrides the count.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModule } from '../dist/load-module.js';
import { HttpSandbox } from '../dist/sandbox/http-client.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 100_000);
const SEED = 424_242;
const BODY_LIMIT = 64 * 1024;

// the generator is TypeScript shared with the test: load it as sandbox-eval loads eval files
const harness = `${root}/test/hardening/server-fuzz-harness.ts`;
const { fuzzServer } = await loadModule(harness);

const childScript = `
  const { serve } = await import(${JSON.stringify(`${root}/dist/sandbox/http-server.js`)});
  const { EnvironmentRegistry } = await import(${JSON.stringify(`${root}/dist/envs/registry.js`)});
  const { builtinEnvironments } = await import(${JSON.stringify(`${root}/dist/envs/builtins.js`)});
  const { loadModule } = await import(${JSON.stringify(`${root}/dist/load-module.js`)});
  const { slowEnvironment } = await loadModule(${JSON.stringify(harness)});
  let internal = 0;
  process.on('warning', (warning) => { if (warning.code === 'SE_INTERNAL') internal += 1; });
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).length;
  const handle = await serve({ port: 0, registry: new EnvironmentRegistry([...builtinEnvironments, slowEnvironment]), bodyLimitBytes: ${BODY_LIMIT} });
  process.stdout.write(handle.url + '\\n');
  process.once('SIGTERM', async () => {
    const metrics = handle.manager.metrics;
    await handle.close();
    const polluted = Object.getOwnPropertyNames(Object.prototype).length !== prototypeBefore || ({}).polluted !== undefined;
    process.stdout.write(JSON.stringify({ internal, polluted, metrics }) + '\\n');
    process.exit(0);
  });
`;

const child = spawn(process.execPath, ['--input-type=module', '-e', childScript], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
let err = '';
let exit;
child.stdout.on('data', (chunk) => (out += chunk));
child.stderr.on('data', (chunk) => (err += chunk));
const exited = new Promise((resolvePromise) => child.once('exit', (code, signal) => resolvePromise((exit = { code, signal }))));
const url = await new Promise((resolvePromise, reject) => {
  const poll = setInterval(() => {
    if (out.includes('\n')) {
      clearInterval(poll);
      resolvePromise(out.split('\n')[0].trim());
    } else if (exit) {
      clearInterval(poll);
      reject(new Error(`server exited early: ${err.slice(0, 500)}`));
    }
  }, 20);
});

const report = await fuzzServer({ url, requests: REQUESTS, seed: SEED, concurrency: 16, bodyLimit: BODY_LIMIT, forbidden: [root, 'file://'] });
const crashedDuringFuzz = exit !== undefined;

// still serves: a whole episode through our client
let servesAfter = false;
if (!crashedDuringFuzz) {
  const client = new HttpSandbox({ url });
  try {
    const initial = await client.createInstance({ envType: 'guess', taskId: 'guess_1' });
    const instanceId = initial.info.instance_id;
    const step = await client.step({ instanceId, action: { role: 'assistant', content: '5' } });
    const evaluation = await client.evaluate({ instanceId });
    servesAfter = Array.isArray(step.state) && typeof evaluation === 'object' && (await client.releaseInstance({ instanceId }));
  } finally {
    await client.close();
  }
}
child.kill('SIGTERM');
await exited;
const summaryLine = out.trim().split('\n').at(-1);
let server = {};
try {
  server = JSON.parse(summaryLine);
} catch {
  server = { error: `no summary from the server: ${err.slice(0, 300)}` };
}

process.stdout.write(
  `${JSON.stringify({
    requests: report.requests,
    httpCalls: report.calls,
    seconds: Math.round(report.ms / 100) / 10,
    requestsPerSec: Math.round(report.requests / (report.ms / 1000)),
    crashes: crashedDuringFuzz ? 1 : 0,
    violations: report.violations.length + report.moreViolations,
    firstViolations: report.violations.slice(0, 3),
    internalErrors: server.internal ?? null,
    prototypePolluted: server.polluted ?? null,
    servesAfter,
    serverExit: exit,
    byStatus: report.byStatus,
    byCode: report.byCode,
    target: { requests: 100_000, crashes: 0, violations: 0, met: !crashedDuringFuzz && report.violations.length === 0 && server.internal === 0 && servesAfter },
  })}\n`,
);
