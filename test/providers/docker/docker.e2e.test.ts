import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { LABELS, listSandboxContainers } from '../../../src/providers/docker/cleanup.js';
import { DockerProvider } from '../../../src/providers/docker/docker-provider.js';
import { connectEngine } from '../../../src/providers/docker/engine.js';
import type { RunPlan, TaskResult } from '../../../src/reporters/types.js';
import { runEvals } from '../../../src/runner/run.js';
import { runCli, tempProject, type TempProject } from '../../helpers/project.js';

/*
 * The docker provider against a real engine and a real registry (.ci/docker-setup.sh starts both and
 * pushes our image to SANDBOX_EVAL_TEST_REGISTRY, password-protected). Without them these tests print
 * a SKIPPED line each; in CI, once the setup script ran, a missing engine fails them instead.
 */

const REGISTRY = process.env.SANDBOX_EVAL_TEST_REGISTRY;
const AUTH = { username: process.env.SANDBOX_EVAL_TEST_REGISTRY_USER ?? 'sandbox-eval', password: process.env.SANDBOX_EVAL_TEST_REGISTRY_PASSWORD ?? 'sandbox-eval-ci' };
const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const IMAGE = `${REGISTRY}/sandbox-eval/sandbox:${version}`;

async function unavailableReason(): Promise<string | undefined> {
  if (!REGISTRY) return 'SANDBOX_EVAL_TEST_REGISTRY is unset; run .ci/docker-setup.sh (it starts dockerd and a registry holding our image)';
  try {
    await connectEngine({ timeoutMs: 5_000 });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const reason = await unavailableReason();
const mustRun = process.env.CI === 'true' && REGISTRY !== undefined;

/** A test that needs the engine: skipped loudly without one, failing in CI after the setup script ran. */
function e2e(name: string, fn: () => Promise<void>, timeoutMs = 60_000): void {
  if (reason && !mustRun) {
    console.warn(`SKIPPED: docker e2e "${name}": ${reason}`);
    it.skip(name, fn);
    return;
  }
  it(name, async () => {
    if (reason) throw new Error(`The Docker e2e tests must run in CI once .ci/docker-setup.sh ran, but: ${reason}`);
    await fn();
  }, timeoutMs);
}

const docker = new Docker();
const projects: TempProject[] = [];
afterAll(() => {
  for (const project of projects.splice(0)) project.remove();
});

/** Plays `guess` by binary search, slowly, so episodes are in flight when a test strikes. */
function slowAgent(delayMs: number): string {
  return `export default async ({ messages }) => {
  await new Promise((resolve) => setTimeout(resolve, ${delayMs}));
  let lo = 1, hi = 1;
  for (const { content } of messages) {
    const range = /integer from (\\d+) to (\\d+)/.exec(content);
    if (range) { lo = Number(range[1]); hi = Number(range[2]); }
    const hint = /^(-?\\d+) is wrong; the number is (higher|lower)/.exec(content);
    if (hint && hint[2] === 'higher') lo = Math.max(lo, Number(hint[1]) + 1);
    if (hint && hint[2] === 'lower') hi = Math.min(hi, Number(hint[1]) - 1);
  }
  return String(Math.floor((lo + hi) / 2));
};
`;
}

function project(docker: Record<string, unknown>, extra: Record<string, unknown> = {}, files: Record<string, string> = {}): TempProject {
  const made = tempProject({ 'eval.config.json': JSON.stringify({ provider: 'docker', docker: { registry: REGISTRY, ...docker }, ...extra }), ...files });
  projects.push(made);
  return made;
}

const runLabelOf = (info: Docker.ContainerInfo) => info.Labels[LABELS.run]!;

/**
 * Runs `guess` ad hoc with the slow agent in `dir`, collecting every result and the provider's
 * notices; after each task ends, `strike` gets the run's containers (to kill or pause one).
 */
async function runStruck(options: { dir: string; split: string; limit: number; strike: (containers: Docker.ContainerInfo[]) => Promise<void> }) {
  const results: TaskResult[] = [];
  let runId = '';
  let notices = '';
  const stderr = new PassThrough();
  stderr.on('data', (chunk: Buffer) => (notices += chunk.toString()));
  const outcome = await runEvals({
    root: options.dir,
    dataset: 'guess',
    split: options.split,
    agent: './slow-agent.mjs',
    limit: options.limit,
    stdout: new PassThrough().resume(),
    stderr,
    extraReporters: [
      {
        onRunStart: (plan: Readonly<RunPlan>) => {
          runId = plan.runId;
        },
        onTaskEnd: async (result: Readonly<TaskResult>) => {
          results.push(result);
          await options.strike(await listSandboxContainers(docker, runId));
        },
      },
    ],
  });
  return { outcome, results, notices, runId };
}

/**
 * Starts `sandbox-eval run` on `guess` with the slow agent (8 tasks, 2 at a time) in `dir`, and waits
 * for its container to be running: the CLI's result, its process (to interrupt) and its container.
 */
async function startCliRun(dir: string, split: string) {
  const before = new Set((await listSandboxContainers(docker)).map((info) => info.Id));
  let child: import('node:child_process').ChildProcess | undefined;
  const finished = runCli(['run', '--dataset', 'guess', '--split', split, '--agent', './slow-agent.mjs', '--limit', '8', '--concurrency', '2'], {
    cwd: dir,
    onSpawn: (spawned) => (child = spawned),
  });
  let ours: Docker.ContainerInfo | undefined;
  for (let tries = 0; tries < 150 && !ours; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    ours = (await listSandboxContainers(docker)).find((info) => !before.has(info.Id) && info.State === 'running');
  }
  expect(ours, 'the run started a container').toBeDefined();
  return { finished, child: child!, container: ours! };
}

describe.sequential('docker provider with a real engine and registry', () => {
  e2e('fails with SE_IMAGE_PULL, and leaves nothing behind, when the registry wants credentials it did not get', async () => {
    // the setup script removed the local copy; make sure, so the pull below really happens
    await docker.getImage(IMAGE).remove({ force: true }).catch(() => undefined);
    const before = (await listSandboxContainers(docker)).length;
    const { dir } = project({});
    const result = await runCli(['run', '--dataset', 'guess', '--split', 'val', '--agent', 'oracle', '--limit', '2'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Could not pull ${IMAGE}`);
    expect(result.stderr).toContain('docker: { auth: { username, password } }');
    expect(result.stderr).toContain('[SE_IMAGE_PULL]');
    expect((await listSandboxContainers(docker)).length).toBe(before);
  });

  e2e('runs a suite through the CLI: pulls our image with credentials, and removes its container at the end', async () => {
    const { dir } = project(
      { auth: AUTH },
      {},
      { 'evals/guess.eval.ts': `import { defineEval } from 'sandbox-eval';\nexport default defineEval({ name: 'guess in docker', dataset: 'guess', split: 'val', tasks: { limit: 6 }, agent: 'oracle' });\n` },
    );
    const result = await runCli(['--reporter', 'json', '--output-file', 'report.json'], { cwd: dir });
    expect(result.stderr).toContain(`pulled ${IMAGE}`);
    expect(result.code).toBe(0);
    const report = JSON.parse(readFileSync(`${dir}/report.json`, 'utf8')) as { runId: string; summary: { tasks: number; passed: number } };
    expect(report.summary).toMatchObject({ tasks: 6, passed: 6 });
    expect(await listSandboxContainers(docker, report.runId)).toEqual([]);
  });

  e2e('retries the tasks of a container killed mid-run on a fresh one, and loses no result', async () => {
    const { dir } = project({ auth: AUTH, images: { guess: { concurrency: 3, containers: 1 } } }, { concurrency: 3 }, { 'slow-agent.mjs': slowAgent(100) });
    const killed: string[] = [];
    const { outcome, results, notices, runId } = await runStruck({
      dir,
      split: 'val',
      limit: 9,
      strike: async (containers) => {
        if (killed.length) return;
        // the first finished task: the others of its container are mid-episode now
        for (const info of containers) {
          killed.push(info.Names[0]!);
          await docker.getContainer(info.Id).kill();
        }
      },
    });
    expect(killed).toHaveLength(1);
    expect(results).toHaveLength(9);
    expect(results.filter((result) => result.status !== 'passed')).toEqual([]);
    expect(results.some((result) => (result.attempts ?? 1) > 1)).toBe(true);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.summary.retries).toBeGreaterThanOrEqual(1);
    expect(notices).toMatch(/container sandbox-eval-.*-sandbox-eval-1 \(.*\) exited with code \d+; it is removed and a fresh container takes its place/);
    expect(await listSandboxContainers(docker, runId)).toEqual([]);
  });

  e2e('takes a container that stops answering out of rotation, replaces it, loses only the episodes it held, and removes it', async () => {
    // `docker pause` freezes the server: connections are accepted, nothing answers. The HTTP client
    // waits 120 s for an answer; the episode's 2 s time limit is what gives up on the call first.
    const concurrency = 2;
    const { dir } = project({ auth: AUTH, images: { guess: { concurrency, containers: 1 } } }, { concurrency, timeoutMs: 2_000 }, { 'slow-agent.mjs': slowAgent(100) });
    const seen = new Set<string>();
    let paused = '';
    const { outcome, results, notices, runId } = await runStruck({
      dir,
      split: 'train',
      limit: 12,
      strike: async (containers) => {
        for (const info of containers) seen.add(info.Names[0]!);
        if (paused) return;
        // the first finished task: the container's other episode is mid-run, and its slot refills
        const [only] = containers;
        paused = only!.Names[0]!;
        await docker.getContainer(only!.Id).pause();
      },
    });
    expect(paused).toMatch(/-sandbox-eval-1$/);
    expect(results).toHaveLength(12);
    const lost = results.filter((result) => result.status !== 'passed');
    // the episodes on the container when it froze (at most its concurrency), and no later one
    expect(lost.length).toBeGreaterThanOrEqual(1);
    expect(lost.length).toBeLessThanOrEqual(concurrency);
    expect(lost.map((result) => result.error?.kind)).toEqual(lost.map(() => 'timeout'));
    expect(outcome.exitCode).toBe(1);
    expect(notices).toMatch(/container sandbox-eval-.*-sandbox-eval-1 \(.*\) left a call unanswered until its episode gave up and did not answer \/healthz within 5000 ms \(.*; the engine says it is paused\); it is removed and a fresh container takes its place/);
    // the rest of the run went to the fresh container
    expect([...seen].some((name) => name.endsWith('-sandbox-eval-2'))).toBe(true);
    expect(await listSandboxContainers(docker, runId)).toEqual([]);
  });

  e2e('Ctrl-C with a paused container still ends the run at once and removes every container', async () => {
    const { dir } = project({ auth: AUTH }, {}, { 'slow-agent.mjs': slowAgent(300) });
    // with the default 300 s time limit, nothing but the interrupt ends the episodes stuck on the paused container
    const { finished, child, container } = await startCliRun(dir, 'train');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await docker.getContainer(container.Id).pause();
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.kill('SIGINT');
    const result = await finished;
    expect(result.stderr).toContain('interrupted; finishing reports and cleaning up');
    // one Ctrl-C was enough: cleanup did not wait for the calls the paused container never answered
    expect(result.code).toBe(130);
    expect(await listSandboxContainers(docker, runLabelOf(container))).toEqual([]);
  });

  e2e('Ctrl-C ends the run and removes its containers', async () => {
    const { dir } = project({ auth: AUTH }, {}, { 'slow-agent.mjs': slowAgent(300) });
    const { finished, child, container } = await startCliRun(dir, 'val');
    // let episodes get under way before the interrupt
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    child.kill('SIGINT');
    const result = await finished;
    expect(result.stderr).toContain('interrupted; finishing reports and cleaning up');
    expect(result.code).toBe(130);
    expect(await listSandboxContainers(docker, runLabelOf(container))).toEqual([]);
  });

  e2e('a container that never answers /healthz fails init with SE_CONTAINER_START, its log, and no leftover', async () => {
    const stderr = new PassThrough().resume();
    const provider = new DockerProvider({ config: { registry: REGISTRY!, auth: AUTH, images: { guess: { port: 81, healthDeadlineMs: 1_500 } } }, stderr });
    const runId = `e2e-unhealthy-${Date.now()}`;
    const error = await provider.init({ runId, datasets: ['guess'] }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'SE_CONTAINER_START', exitCode: 2 });
    expect((error as Error).message).toMatch(/did not become healthy within 1500 ms/);
    expect((error as Error).message).toMatch(/Last lines of its log:\nsandbox-eval serving .* on http:\/\/0\.0\.0\.0:80/);
    expect(await listSandboxContainers(docker, runId)).toEqual([]);
  });

  e2e('--keep-sandboxes leaves the container running and says how to reach it; cleanup removes containers by label', async () => {
    const { dir } = project({ auth: AUTH });
    const kept = await runCli(['run', '--dataset', 'guess', '--split', 'val', '--agent', 'oracle', '--limit', '2', '--keep-sandboxes'], { cwd: dir });
    expect(kept.code).toBe(0);
    const match = /kept 1 sandbox container of run (\S+) \(--keep-sandboxes\):\n\s+(sandbox-eval-\S+)\s+(http:\/\/\S+)/.exec(kept.stderr);
    expect(match, kept.stderr).not.toBeNull();
    const [, runId, name, url] = match!;
    expect(kept.stderr).toContain(`sandbox-eval cleanup --run ${runId}`);
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('OK');
    const [info] = await listSandboxContainers(docker, runId);
    expect(info).toMatchObject({ Names: [`/${name}`], Labels: { [LABELS.dataset]: 'guess', [LABELS.image]: 'sandbox-eval' } });

    const removed = await runCli(['cleanup', '--run', runId!], { cwd: dir });
    expect(removed.stdout).toBe(`Removed 1 sandbox container of run ${runId}.\n`);
    expect(await listSandboxContainers(docker, runId)).toEqual([]);

    // what a crashed run leaves: labelled containers, found and removed without a run id
    const crashed = `e2e-crashed-${Date.now()}`;
    await docker.createContainer({ Image: IMAGE, Labels: { [LABELS.run]: crashed } });
    const all = await runCli(['cleanup'], { cwd: dir });
    expect(all.code).toBe(0);
    expect(Number(/^Removed (\d+) sandbox containers?\.$/m.exec(all.stdout)?.[1])).toBeGreaterThanOrEqual(1);
    expect(await listSandboxContainers(docker, crashed)).toEqual([]);
  });
});
