// sandbox-eval against evalite and vitest-evals on this machine, in one run: the same 1,000 trivial
// tasks (a task that returns a constant, a scorer that gives 1), each runner in its own idiom and
// through its own CLI, as a user would run it in CI. Wall time and peak memory (the whole process
// tree's RSS, sampled from its own /proc files every 20 ms) per runner, medians of RUNS runs, and ratios to
// sandbox-eval. Then scaling: sandbox-eval's wall time and peak RSS from 100 to 100,000 tasks with the
// JSON reporter (which streams results to disk). Prints one JSON object.
//
// The peers are installed for this benchmark only: `npm install --prefix bench/peers` (evalite needs
// better-sqlite3 compiled: its install script is approved in bench/peers/package.json). Never run by
// `npm test`. Run `npm run build` first.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const peers = join(root, 'bench/peers/node_modules');
const TASKS = 1_000;
const RUNS = Number(process.env.PEERS_RUNS ?? 3);
const SCALING = (process.env.PEERS_SCALING ?? '100,1000,10000,100000').split(',').filter(Boolean).map(Number);
const work = mkdtempSync(join(tmpdir(), 'se-bench-peers-'));

// ---- measuring a process tree ----

// The sampler runs every 20 ms beside the runner it measures, on the same (often 2-core) machine, so
// it must cost next to nothing: it reads only the measured tree's own /proc files, never all of /proc.
// Children come from /proc/<pid>/task/<tid>/children (Linux 4.2+, CONFIG_PROC_CHILDREN): every sample
// reads the main thread's (Node forks from it), and every FULL_EVERY samples the tree is found again
// from the root through every thread's. Without those files, the whole of /proc is scanned for
// parent pids, but only every FULL_EVERY samples, and the tree found is kept between scans.
const FULL_EVERY = 10;
const hasChildrenFiles = existsSync(`/proc/${process.pid}/task/${process.pid}/children`);

function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process or thread ended while we looked
  }
}

function pidsIn(text) {
  return text ? text.split(' ').filter((pid) => pid.trim()).map(Number) : [];
}

/** `root` and its descendants, through every thread's children file. */
function treeFromChildrenFiles(root) {
  const tree = new Set();
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop();
    tree.add(pid);
    let threads = [];
    try {
      threads = readdirSync(`/proc/${pid}/task`);
    } catch {
      // ended
    }
    for (const tid of threads) stack.push(...pidsIn(readText(`/proc/${pid}/task/${tid}/children`)));
  }
  return tree;
}

/** `root` and its descendants, from every process's parent pid in /proc/<pid>/stat. */
function treeFromProcScan(root) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readText(`/proc/${entry}/stat`);
    if (stat === undefined) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(entry));
  }
  const tree = new Set();
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop();
    tree.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** A sampler of the RSS in bytes of `root` and all its descendants, from /proc (Linux). */
function treeSampler(root) {
  let samples = 0;
  let tree = new Set([root]);
  return () => {
    if (samples++ % FULL_EVERY === 0) {
      tree = hasChildrenFiles ? treeFromChildrenFiles(root) : treeFromProcScan(root);
    } else if (hasChildrenFiles) {
      for (const pid of [...tree]) for (const child of pidsIn(readText(`/proc/${pid}/task/${pid}/children`))) tree.add(child);
    }
    let total = 0;
    for (const pid of tree) {
      const status = readText(`/proc/${pid}/status`);
      if (status === undefined) tree.delete(pid);
      else total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    }
    return total;
  };
}

/** Runs a command; resolves wall time, peak tree RSS, exit code and output. */
function measure(command, args, { cwd, env = {} }) {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    let peak = 0;
    const treeRss = treeSampler(child.pid);
    const sample = () => (peak = Math.max(peak, treeRss()));
    const sampler = setInterval(sample, 20);
    sample();
    child.on('close', (code) => {
      clearInterval(sampler);
      resolvePromise({ wallMs: performance.now() - started, peakRssBytes: peak, code, stdout, stderr });
    });
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const MiB = (bytes) => Math.round(bytes / 2 ** 20);

// ---- the three projects ----

function project(name, files, nodeModules) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  if (nodeModules) symlinkSync(nodeModules, join(dir, 'node_modules'), 'dir');
  return dir;
}

const sandboxEvalDir = project(
  'sandbox-eval',
  {
    'package.json': '{ "name": "bench-sandbox-eval", "private": true, "type": "module" }\n',
    'trivial.eval.ts': `import { defineEval, defineEnvironment } from 'sandbox-eval';

// a task returns a constant and scores 1: one step, reward 1
const trivial = defineEnvironment({
  name: 'trivial',
  description: 'one step, reward 1',
  load: () => ({
    name: 'trivial',
    splits: () => ['all'],
    taskIds: () => Array.from({ length: Number(process.env.TASKS ?? ${TASKS}) }, (_, k) => 't' + k),
    createInstance: ({ taskId, instanceId }) => ({
      initial: { state: [{ role: 'user', content: 'say ok' }], info: { instance_id: instanceId, task_id: taskId } },
      step: () => ({ state: [{ role: 'user', content: 'done' }], reward: 1, is_terminated: true, info: {} }),
      evaluate: () => 1,
    }),
  }),
});

export default defineEval({ name: 'trivial', dataset: trivial, split: 'all', agent: () => 'ok' });
`,
  },
  undefined,
);
mkdirSync(join(sandboxEvalDir, 'node_modules'));
symlinkSync(root, join(sandboxEvalDir, 'node_modules/sandbox-eval'), 'dir');

const peersInstalled = existsSync(join(peers, 'evalite')) && existsSync(join(peers, 'vitest-evals'));

const evaliteDir = project(
  'evalite',
  {
    'package.json': '{ "name": "bench-evalite", "private": true, "type": "module" }\n',
    'trivial.eval.ts': `import { evalite } from 'evalite';

evalite('trivial', {
  data: async () => Array.from({ length: ${TASKS} }, (_, k) => ({ input: 't' + k, expected: 'ok' })),
  task: async () => 'ok',
  scorers: [{ name: 'one', scorer: () => 1 }],
});
`,
  },
  peersInstalled ? peers : undefined,
);

const vitestEvalsDir = project(
  'vitest-evals',
  {
    'package.json': '{ "name": "bench-vitest-evals", "private": true, "type": "module" }\n',
    'vitest.config.mjs': "import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { include: ['**/*.eval.ts'] } });\n",
    // the harness-first API vitest-evals recommends: a harness that answers a constant, a judge that gives 1
    'trivial.eval.ts': `import { createHarness, createJudge, describeEval } from 'vitest-evals';

const constant = createHarness<string, string>({
  name: 'constant',
  run: async ({ input }) => ({
    output: 'ok',
    events: [
      { type: 'message', role: 'user', content: input },
      { type: 'message', role: 'assistant', content: 'ok' },
    ],
    usage: {},
  }),
});
const one = createJudge('one', async () => ({ score: 1 }));
const cases = Array.from({ length: ${TASKS} }, (_, k) => ({ name: 't' + k, input: 't' + k }));

describeEval('trivial', { harness: constant, judges: [one], judgeThreshold: 1 }, (it) => {
  it.for(cases)('$name', async ({ input }, { run }) => {
    await run(input);
  });
});
`,
  },
  peersInstalled ? peers : undefined,
);

const runners = {
  sandboxEval: {
    run: (tasks = TASKS) =>
      measure(process.execPath, [join(root, 'dist/cli/bin.js'), '--reporter', 'default', '--reporter', 'json', '--output-file.json=report.json'], { cwd: sandboxEvalDir, env: { TASKS: String(tasks) } }),
    check: (result, tasks = TASKS) => {
      const report = JSON.parse(readFileSync(join(sandboxEvalDir, 'report.json'), 'utf8'));
      return result.code === 0 && report.summary.tasks === tasks && report.summary.passed === tasks;
    },
  },
  evalite: {
    // a fresh database each run, as on a CI machine
    before: () => rmSync(join(peers, '.evalite'), { recursive: true, force: true }),
    run: () => measure(process.execPath, [join(peers, 'evalite/dist/bin.js'), 'run'], { cwd: evaliteDir }),
    check: (result) => result.code === 0 && /Evals\s+1000\b/.test(result.stdout.replace(/\x1b\[[0-9;]*m/g, '')),
  },
  vitestEvals: {
    run: () => measure(process.execPath, [join(peers, 'vitest/vitest.mjs'), 'run', '--reporter=vitest-evals/reporter'], { cwd: vitestEvalsDir }),
    check: (result) => result.code === 0 && /Tests\s+1000 passed/.test(result.stdout.replace(/\x1b\[[0-9;]*m/g, '')),
  },
};

async function compare() {
  const samples = Object.fromEntries(Object.keys(runners).map((name) => [name, []]));
  const problems = {};
  const active = Object.keys(runners).filter((name) => name === 'sandboxEval' || peersInstalled);
  // interleaved, so a noisy moment on a shared machine hits every runner alike
  for (let run = 0; run < RUNS; run += 1) {
    for (const name of active) {
      const runner = runners[name];
      runner.before?.();
      const result = await runner.run();
      if (!runner.check(result)) {
        problems[name] = `run failed (exit ${result.code}): ${(result.stderr || result.stdout).slice(-400)}`;
        continue;
      }
      samples[name].push(result);
      process.stderr.write(`peers: ${name} ${Math.round(result.wallMs)} ms, ${MiB(result.peakRssBytes)} MiB\n`);
    }
  }
  const figures = {};
  for (const name of Object.keys(runners)) {
    if (!peersInstalled && name !== 'sandboxEval') {
      figures[name] = { error: 'not installed: run `npm install --prefix bench/peers` (needs python3, make and g++ to compile better-sqlite3 for evalite)' };
    } else if (samples[name].length === 0) {
      figures[name] = { error: problems[name] ?? 'no successful run' };
    } else {
      figures[name] = {
        wallMs: Math.round(median(samples[name].map((s) => s.wallMs))),
        peakRssMiB: MiB(median(samples[name].map((s) => s.peakRssBytes))),
        runs: samples[name].length,
        ...(problems[name] ? { someRunsFailed: problems[name] } : {}),
      };
    }
  }
  const ours = figures.sandboxEval;
  const ratio = (name, key) => (figures[name]?.[key] && ours?.[key] ? Number((figures[name][key] / ours[key]).toFixed(2)) : null);
  return {
    figures,
    ratios: {
      evaliteWallOverSandboxEval: ratio('evalite', 'wallMs'),
      vitestEvalsWallOverSandboxEval: ratio('vitestEvals', 'wallMs'),
      evalitePeakRssOverSandboxEval: ratio('evalite', 'peakRssMiB'),
      vitestEvalsPeakRssOverSandboxEval: ratio('vitestEvals', 'peakRssMiB'),
    },
  };
}

async function scaling() {
  const points = [];
  for (const tasks of SCALING) {
    const result = await runners.sandboxEval.run(tasks);
    points.push({ tasks, ok: runners.sandboxEval.check(result, tasks), wallMs: Math.round(result.wallMs), peakRssMiB: MiB(result.peakRssBytes) });
    process.stderr.write(`peers: scaling ${tasks} tasks ${Math.round(result.wallMs)} ms, ${MiB(result.peakRssBytes)} MiB\n`);
  }
  const first = points[0];
  for (const point of points.slice(1)) {
    // the cost of each task beyond the first point's: runner overhead without the CLI's start-up
    point.marginalMicrosPerTask = Math.round(((point.wallMs - first.wallMs) * 1000) / (point.tasks - first.tasks));
  }
  return points;
}

try {
  const versions = peersInstalled
    ? Object.fromEntries(['evalite', 'vitest-evals', 'vitest'].map((name) => [name, JSON.parse(readFileSync(join(peers, name, 'package.json'), 'utf8')).version]))
    : {};
  const comparison = await compare();
  const scale = await scaling();
  const evaliteRatio = comparison.ratios.evaliteWallOverSandboxEval;
  process.stdout.write(
    `${JSON.stringify({
      bench: 'peers',
      tasks: TASKS,
      runsEach: RUNS,
      machine: { node: process.version, cpus: availableParallelism(), cpuModel: cpus()[0]?.model },
      versions,
      how: 'each runner through its own CLI on the same 1,000 trivial tasks (constant output, scorer 1); wall time of the whole command; peak RSS summed over the process tree',
      ...comparison,
      target: { evaliteWallOverSandboxEval: 10, met: evaliteRatio === null ? null : evaliteRatio >= 10 },
      scaling: scale,
    })}\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
