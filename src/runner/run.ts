import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import PQueue from 'p-queue';
import { builtinEnvironments } from '../envs/builtins.js';
import { EnvironmentRegistry } from '../envs/registry.js';
import { NoTasksSelectedError, UsageError, isSandboxEvalError } from '../errors.js';
import { createProvider, type ProviderOptions } from '../providers/index.js';
import type { RunInfo, SandboxProvider } from '../providers/types.js';
import { resolveReporters, ReporterSet } from '../reporters/index.js';
import type { PlannedTask, Reporter, RunEndReason, RunPlan, RunSummary, TaskResult } from '../reporters/types.js';
import { findEvalFiles, loadSuites, type DiscoveredSuite } from './discovery.js';
import { EpisodeInterrupted, runEpisode } from './episode.js';
import { buildPlan, datasetName, suitesOf, type SuiteRun } from './plan.js';
import { compareWithBaseline, readReport, rewardsOf, type BaselineRewards } from './baseline.js';
import { checkGates } from './gates.js';
import { Journal, episodeKey, planFingerprint } from './journal.js';
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
  /**
   * A provider that outlives the run (watch mode keeps sandboxes and containers warm): called with
   * what the run would create and initialise one from, instead of doing so; the run does not close it.
   */
  sharedProvider?: ProviderSource;
  /**
   * A registry kept across runs (watch mode: loaded environments stay loaded), in which the config's
   * and suites' environments are registered. @default a new registry of the built-ins
   */
  registry?: EnvironmentRegistry;
  /** Keeps only the planned tasks it accepts; suites left with none are dropped (watch mode re-runs failed tasks). */
  select?: (task: { suite: string; file?: string; taskId: string }) => boolean;
}

/** Hands a run an initialised provider that someone else closes. */
export type ProviderSource = (options: ProviderOptions, run: RunInfo) => Promise<SandboxProvider>;

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
  const registry = registryFor(config, suites, options.registry);
  const dataDirs = { ...config.dataDirs };
  for (const { suite } of suites) if (suite.data) dataDirs[datasetName(suite)] ??= suite.data;

  const runId = `${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
  const startedAt = new Date().toISOString();
  const providerOptions: ProviderOptions = {
    name: config.provider,
    registry,
    dataDirs,
    urls: config.urls,
    ...(config.token ? { token: config.token } : {}),
    ...(config.docker ? { docker: config.docker } : {}),
    stderr: options.stderr ?? process.stderr,
  };
  const runInfo: RunInfo = { runId, datasets: [...new Set(suites.map(({ suite }) => datasetName(suite)))] };
  const shared = options.sharedProvider;
  const provider = shared ? await shared(providerOptions, runInfo) : await createProvider(providerOptions);
  if (!shared) await provider.init(runInfo);
  try {
    const runs = selected(await buildPlan({ config: { ...config, dataDirs }, suites, registry, provider }), options.select);
    const perSuite = episodeCounts(runs, config.shard);
    const total = [...perSuite.values()].reduce((sum, count) => sum + count, 0);
    if (total === 0) {
      const filter = config.taskPattern ? ` matching --task ${config.taskPattern.source}` : '';
      throw new NoTasksSelectedError(`No task selected${filter} in ${runs.map((run) => `"${run.name}"`).join(', ')}. Check the suites' split and tasks, and the --task pattern.`);
    }
    const concurrency = config.concurrency ?? provider.defaultConcurrency;
    const plan: RunPlan = Object.freeze({
      runId,
      startedAt,
      suites: runs.map(({ name, dataset, split, file, pass, trials, thresholds }) =>
        Object.freeze({ name, dataset, split, ...(file ? { file } : {}), tasks: perSuite.get(name) ?? 0, pass, trials, ...(thresholds ? { thresholds } : {}) }),
      ),
      total,
      concurrency,
      provider: provider.name,
    });
    const reporters = new ReporterSet([
      ...(await resolveReporters({ specs: config.reporters, cwd: config.root, stdout: options.stdout, stderr: options.stderr })),
      ...(options.extraReporters ?? []),
    ]);
    return await execute({ config, plan, runs, provider, reporters, signal: options.signal });
  } finally {
    if (!shared) await provider.close({ keep: config.keepSandboxes });
  }
}

/** The runs with only the tasks `select` accepts, and without the suites it left empty. */
function selected(runs: SuiteRun[], select: RunEvalsOptions['select']): SuiteRun[] {
  if (!select) return runs;
  return runs.flatMap((run) => {
    const taskIds = run.taskIds.filter((taskId) => select({ suite: run.name, ...(run.file ? { file: run.file } : {}), taskId }));
    return taskIds.length ? [{ ...run, taskIds, tasks: taskIds.length * run.trials }] : [];
  });
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

function registryFor(config: ResolvedConfig, suites: readonly DiscoveredSuite[], kept?: EnvironmentRegistry): EnvironmentRegistry {
  if (kept) {
    const definitions = [...config.environments, ...suites.flatMap(({ suite }) => (typeof suite.dataset === 'string' ? [] : [suite.dataset]))];
    // registering drops an environment's loaded copy: only a new definition (its module re-imported) is
    for (const definition of definitions) if (!kept.has(definition.name) || kept.definition(definition.name) !== definition) kept.register(definition);
    return kept;
  }
  const registry = new EnvironmentRegistry([...builtinEnvironments, ...config.environments]);
  for (const { suite } of suites) if (typeof suite.dataset !== 'string') registry.register(suite.dataset);
  return registry;
}

/** One planned episode, before it runs. */
interface PlannedEpisode {
  run: SuiteRun;
  taskId: string;
  trial: number;
}

/** Every episode of the plan in order (task-major, then trial), sliced to the run's shard. */
function* episodesOf(runs: readonly SuiteRun[], shard: ResolvedConfig['shard']): Generator<PlannedEpisode> {
  let index = 0;
  for (const run of runs) {
    for (const taskId of run.taskIds) {
      for (let trial = 0; trial < run.trials; trial += 1) {
        const mine = !shard || index % shard.count === shard.index - 1;
        index += 1;
        if (mine) yield { run, taskId, trial };
      }
    }
  }
}

/** How many episodes of each suite episodesOf yields, counted without listing them. */
function episodeCounts(runs: readonly SuiteRun[], shard: ResolvedConfig['shard']): Map<string, number> {
  const counts = new Map<string, number>();
  // episodes of the whole plan before `end` (an index) that fall in the shard
  const inShard = (end: number) => (!shard ? end : end > shard.index - 1 ? Math.floor((end - shard.index) / shard.count) + 1 : 0);
  let start = 0;
  for (const run of runs) {
    const end = start + run.taskIds.length * run.trials;
    counts.set(run.name, (counts.get(run.name) ?? 0) + inShard(end) - inShard(start));
    start = end;
  }
  return counts;
}

/** The task reporters see: frozen, as they must not change it. */
function plannedTask({ run, taskId, trial }: PlannedEpisode): PlannedTask {
  return Object.freeze({ suite: run.name, dataset: run.dataset, split: run.split, taskId, trial });
}

/** Schedules every planned episode under the concurrency limit, adding work only as slots free up. */
async function execute(options: {
  config: ResolvedConfig;
  plan: RunPlan;
  runs: readonly SuiteRun[];
  provider: SandboxProvider;
  reporters: ReporterSet;
  signal: AbortSignal | undefined;
}): Promise<RunOutcome> {
  const { config, runs, provider, reporters } = options;
  const signal = options.signal ?? new AbortController().signal;
  const started = performance.now();
  const baseline = config.baseline ? rewardsOf(readReport(config.baseline, config.root)) : undefined;
  const { journal, header, finished } = Journal.open({
    path: config.journalPath,
    header: {
      journal: 1,
      fingerprint: planFingerprint(map(episodesOf(runs, config.shard), ({ run, taskId, trial }) => ({ suite: run.name, dataset: run.dataset, split: run.split, taskId, trial }))),
      runId: options.plan.runId,
      startedAt: options.plan.startedAt,
    },
    resume: config.resume,
  });
  // a resumed run continues the interrupted one: same run id and start time in every report
  const plan: RunPlan = Object.freeze({ ...options.plan, runId: header.runId, startedAt: header.startedAt });
  const summary = new SummaryBuilder(plan.suites);
  // an exception out of a task is a bug in a reporter or in this runner: finish the run, then raise it
  const bugs: unknown[] = [];
  let sequence = 0;
  const queue = new PQueue({ concurrency: plan.concurrency });

  const runOne = async (run: SuiteRun, task: PlannedTask, instanceId: string): Promise<void> => {
    if (signal.aborted) return;
    try {
      summary.started(run.name);
      await reporters.onTaskStart(task);
      const result = await runTask({ run, task, instanceId, provider, signal, retries: config.retries });
      if (!result) return;
      // reported only once durable: a crash after onTaskEnd must not lose the result
      await journal.append(result);
      summary.add(result);
      await reporters.onTaskEnd(Object.freeze(result));
    } catch (error) {
      bugs.push(error);
    }
  };

  try {
    await reporters.onRunStart(plan);
    // a resumed run replays what already finished, so its reports equal an uninterrupted run's
    const done = new Set<string>();
    for (const result of finished) {
      done.add(episodeKey(result));
      summary.add(result);
      await reporters.onTaskEnd(Object.freeze(result));
    }
    for (const episode of episodesOf(runs, config.shard)) {
      if (done.size > 0 && done.has(episodeKey({ suite: episode.run.name, taskId: episode.taskId, trial: episode.trial }))) continue;
      // backpressure: the queue never holds more than one waiting episode per slot
      await queue.onSizeLessThan(plan.concurrency);
      if (signal.aborted) break;
      // this process's own run id: a resumed run must not reuse the crashed run's instance ids
      const instanceId = `${options.plan.runId}-${sequence++}`;
      const task = plannedTask(episode);
      void queue.add(() => runOne(episode.run, task, instanceId));
    }
    await queue.onIdle();
  } finally {
    journal.close();
  }

  const outcome = await finishRun({
    plan,
    summary,
    reporters,
    durationMs: performance.now() - started,
    interrupted: signal.aborted,
    ...(baseline ? { baseline: { path: config.baseline!, rewards: baseline } } : {}),
  });
  if (bugs.length) throw bugs[0];
  return outcome;
}

/**
 * Ends a run (or a merge of shard reports): gates, the baseline comparison, the summary reporters get,
 * and the exit code. A suite with thresholds is judged by them; with a baseline, by its regressions;
 * otherwise every task must pass.
 */
export async function finishRun(options: {
  plan: RunPlan;
  summary: SummaryBuilder;
  reporters: Reporter;
  durationMs: number;
  interrupted: boolean;
  baseline?: { path: string; rewards: BaselineRewards };
}): Promise<RunOutcome> {
  const { plan, summary, reporters } = options;
  const gates = checkGates(plan.suites, summary);
  const comparison = options.baseline
    ? compareWithBaseline({ baseline: options.baseline.path, baselineRewards: options.baseline.rewards, current: summary.taskAggregates() })
    : undefined;
  const built = summary.build({ runId: plan.runId, startedAt: plan.startedAt, durationMs: options.durationMs });
  const runSummary: RunSummary = { ...built, ...(gates.length ? { gates } : {}), ...(comparison ? { comparison } : {}) };

  const suiteFailed = built.suites.some((suite) => {
    const planned = plan.suites.find((candidate) => candidate.name === suite.name);
    if (planned?.thresholds) return gates.some((gate) => gate.suite === suite.name);
    if (comparison) return comparison.tasks.some((task) => task.suite === suite.name && task.verdict === 'regressed');
    return suite.failed + suite.errored > 0;
  });
  const reason: RunEndReason = options.interrupted ? 'interrupted' : summary.infrastructureErrors > 0 ? 'errored' : suiteFailed ? 'failed' : 'passed';
  await reporters.onRunEnd?.(Object.freeze(runSummary), reason);
  const exitCode: ExitCode = { passed: 0, failed: 1, errored: 2, interrupted: 130 }[reason] as ExitCode;
  return { summary: runSummary, reason, exitCode };
}

function* map<T, U>(items: Iterable<T>, fn: (item: T) => U): Generator<U> {
  for (const item of items) yield fn(item);
}

/**
 * One episode with its sandbox, acquired and released around it. An episode that failed on
 * infrastructure runs again, up to `retries` times; agent failures never do. Undefined when interrupted.
 */
async function runTask(options: {
  run: SuiteRun;
  task: PlannedTask;
  instanceId: string;
  provider: SandboxProvider;
  signal: AbortSignal;
  retries: number;
}): Promise<TaskResult | undefined> {
  let result: TaskResult | undefined;
  for (let attempt = 1; attempt <= options.retries + 1; attempt += 1) {
    const instanceId = attempt === 1 ? options.instanceId : `${options.instanceId}-r${attempt - 1}`;
    result = await attemptTask(options, instanceId);
    if (!result) return undefined;
    if (attempt > 1) result = { ...result, attempts: attempt };
    if (result.error?.kind !== 'infra' || options.signal.aborted) break;
  }
  return result;
}

async function attemptTask(
  options: { run: SuiteRun; task: PlannedTask; provider: SandboxProvider; signal: AbortSignal },
  instanceId: string,
): Promise<TaskResult | undefined> {
  const { run, task, provider, signal } = options;
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
