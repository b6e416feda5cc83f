import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import PQueue from 'p-queue';
import { builtinEnvironments } from '../envs/builtins.js';
import { EnvironmentRegistry } from '../envs/registry.js';
import { NoTasksSelectedError, UsageError, isSandboxEvalError } from '../errors.js';
import { createProvider } from '../providers/index.js';
import type { SandboxProvider } from '../providers/types.js';
import { resolveReporters, ReporterSet } from '../reporters/index.js';
import type { PlannedTask, Reporter, RunEndReason, RunPlan, RunSummary, TaskResult } from '../reporters/types.js';
import { findEvalFiles, loadSuites, type DiscoveredSuite } from './discovery.js';
import { EpisodeInterrupted, runEpisode } from './episode.js';
import { buildPlan, datasetName, suitesOf, type SuiteRun } from './plan.js';
import { resolveConfig, type ResolvedConfig, type RunOptions } from './resolve-config.js';
import { SummaryBuilder } from './summary.js';

export interface RunEvalsOptions extends RunOptions {
  /** Aborting stops scheduling, interrupts running episodes and ends the run as `interrupted` (Ctrl-C). */
  signal?: AbortSignal;
  /** Where the terminal reporter writes. @default process.stdout */
  stdout?: Writable & { isTTY?: boolean; columns?: number };
  /** @default process.stderr */
  stderr?: Writable;
  /** Reporter instances to use in addition to the configured ones (programmatic use and tests). */
  extraReporters?: Reporter[];
}

export type ExitCode = 0 | 1 | 2 | 3 | 130;

export interface RunOutcome {
  summary: RunSummary;
  reason: RunEndReason;
  /** 0 every task passed; 1 some task failed; 2 infrastructure errors; 130 interrupted. */
  exitCode: ExitCode;
}

/**
 * Runs the suites the config selects (or an ad hoc dataset/split/agent) and reports every result.
 * Throws a SandboxEvalError for usage and configuration errors, before any episode starts.
 */
export async function runEvals(options: RunEvalsOptions = {}): Promise<RunOutcome> {
  const config = await resolveConfig(options);
  const discovered = await discover(config);
  const suites = suitesOf(config, discovered);
  const registry = registryFor(config, suites);
  const dataDirs = { ...config.dataDirs };
  for (const { suite } of suites) if (suite.data) dataDirs[datasetName(suite)] ??= suite.data;

  const runId = `${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  const startedAt = new Date().toISOString();
  const provider = createProvider({ name: config.provider, registry, dataDirs, urls: config.urls, ...(config.token ? { token: config.token } : {}) });
  await provider.init({ runId, datasets: [...new Set(suites.map(({ suite }) => datasetName(suite)))] });
  try {
    const runs = await buildPlan({ config: { ...config, dataDirs }, suites, registry, provider });
    const total = runs.reduce((sum, run) => sum + run.taskIds.length, 0);
    if (total === 0) {
      const filter = config.taskPattern ? ` matching --task ${config.taskPattern.source}` : '';
      throw new NoTasksSelectedError(`No task selected${filter} in ${runs.map((run) => `"${run.name}"`).join(', ')}. Check the suites' split and tasks, and the --task pattern.`);
    }
    const concurrency = config.concurrency ?? provider.defaultConcurrency;
    const plan: RunPlan = Object.freeze({
      runId,
      startedAt,
      suites: runs.map(({ name, dataset, split, file, tasks, pass }) => Object.freeze({ name, dataset, split, ...(file ? { file } : {}), tasks, pass })),
      total,
      concurrency,
      provider: provider.name,
    });
    const reporters = new ReporterSet([...(await reportersFor(config, options)), ...(options.extraReporters ?? [])]);
    return await execute({ plan, runs, provider, reporters, signal: options.signal });
  } finally {
    await provider.close({ keep: false });
  }
}

/** The configured reporters; the terminal one moves to stderr when another one writes to stdout. */
async function reportersFor(config: ResolvedConfig, options: RunEvalsOptions): Promise<Reporter[]> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const terminal = config.reporters.filter((spec) => spec.name === 'default');
  const others = config.reporters.filter((spec) => spec.name !== 'default');
  const stdoutTaken = others.some((spec) => !spec.outputFile);
  return [
    ...(await resolveReporters({ specs: terminal, cwd: config.root, stdout: stdoutTaken ? stderr : stdout, stderr })),
    ...(await resolveReporters({ specs: others, cwd: config.root, stdout, stderr })),
  ];
}

async function discover(config: ResolvedConfig): Promise<DiscoveredSuite[]> {
  if (config.adhoc) {
    if (config.filters.length) throw new UsageError('File filters and --dataset are exclusive: an ad hoc run uses no eval files.');
    return [];
  }
  const files = await findEvalFiles(config);
  if (files.length === 0) {
    const filters = config.filters.length ? ` matching ${config.filters.map((filter) => `"${filter}"`).join(', ')}` : '';
    throw new NoTasksSelectedError(
      `No eval files${filters} found in ${config.root} (include: ${config.include.join(', ')}). Write a *.eval.ts file, or run ad hoc: sandbox-eval run --dataset guess --split val --agent oracle`,
    );
  }
  return loadSuites({ root: config.root, files });
}

function registryFor(config: ResolvedConfig, suites: readonly DiscoveredSuite[]): EnvironmentRegistry {
  const registry = new EnvironmentRegistry([...builtinEnvironments, ...config.environments]);
  for (const { suite } of suites) if (typeof suite.dataset !== 'string') registry.register(suite.dataset);
  return registry;
}

/** Schedules every planned episode under the concurrency limit, adding work only as slots free up. */
async function execute(options: {
  plan: RunPlan;
  runs: readonly SuiteRun[];
  provider: SandboxProvider;
  reporters: ReporterSet;
  signal: AbortSignal | undefined;
}): Promise<RunOutcome> {
  const { plan, runs, provider, reporters } = options;
  const signal = options.signal ?? new AbortController().signal;
  const started = performance.now();
  const summary = new SummaryBuilder(plan.suites);
  const queue = new PQueue({ concurrency: plan.concurrency });
  let sequence = 0;
  // an exception out of a task is a bug in a reporter or in this runner: finish the run, then raise it
  const bugs: unknown[] = [];

  await reporters.onRunStart(plan);
  for (const run of runs) {
    for (const taskId of run.taskIds) {
      // backpressure: the queue never holds more than one waiting episode per slot
      await queue.onSizeLessThan(plan.concurrency);
      if (signal.aborted) break;
      const instanceId = `${plan.runId}-${sequence++}`;
      void queue.add(async () => {
        if (signal.aborted) return;
        const task: PlannedTask = Object.freeze({ suite: run.name, dataset: run.dataset, split: run.split, taskId, trial: 0 });
        summary.started(run.name);
        await reporters.onTaskStart(task);
        const result = await runTask({ run, task, instanceId, provider, signal });
        if (!result) return;
        summary.add(result);
        await reporters.onTaskEnd(Object.freeze(result));
      }).catch((error: unknown) => bugs.push(error));
    }
    if (signal.aborted) break;
  }
  await queue.onIdle();

  const totals = summary.total;
  const reason: RunEndReason = signal.aborted
    ? 'interrupted'
    : summary.infrastructureErrors > 0
      ? 'errored'
      : totals.failed + totals.errored > 0
        ? 'failed'
        : 'passed';
  const runSummary = summary.build({ runId: plan.runId, startedAt: plan.startedAt, durationMs: performance.now() - started });
  await reporters.onRunEnd(Object.freeze(runSummary), reason);
  if (bugs.length) throw bugs[0];
  const exitCode: ExitCode = { passed: 0, failed: 1, errored: 2, interrupted: 130 }[reason] as ExitCode;
  return { summary: runSummary, reason, exitCode };
}

/** One episode with its sandbox: acquired and released around it. Undefined when interrupted. */
async function runTask(options: {
  run: SuiteRun;
  task: PlannedTask;
  instanceId: string;
  provider: SandboxProvider;
  signal: AbortSignal;
}): Promise<TaskResult | undefined> {
  const { run, task, instanceId, provider, signal } = options;
  const started = performance.now();
  let sandbox;
  try {
    sandbox = await provider.acquire(run.dataset);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = isSandboxEvalError(error) ? { code: error.code } : {};
    return { ...task, reward: 0, status: 'errored', steps: 0, durationMs: performance.now() - started, trajectory: [], error: { kind: 'infra', message, ...code } };
  }
  let interrupted = false;
  try {
    return await runEpisode(
      { ...task, agent: run.agent, maxSteps: run.maxSteps, pass: run.pass, timeoutMs: run.timeoutMs, params: run.params, instanceId },
      sandbox,
      signal,
    );
  } catch (error) {
    if (error instanceof EpisodeInterrupted) {
      interrupted = true;
      return undefined;
    }
    throw error;
  } finally {
    await provider.release(sandbox, { interrupted });
  }
}
