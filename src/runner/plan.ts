import type { Agent } from '../agents/types.js';
import type { EnvironmentRegistry } from '../envs/registry.js';
import { UnknownDatasetError, UnknownTaskError } from '../errors.js';
import type { SandboxProvider } from '../providers/types.js';
import type { SuitePlan } from '../reporters/types.js';
import type { EvalSuite } from './config.js';
import type { DiscoveredSuite } from './discovery.js';
import type { ResolvedConfig } from './resolve-config.js';
import { resolveAgent } from './resolve-agent.js';

/** A suite ready to run: its selected task ids and resolved agent and limits. */
export interface SuiteRun extends SuitePlan {
  taskIds: readonly string[];
  agent: Agent;
  maxSteps: number;
  timeoutMs: number;
  params: Record<string, unknown>;
  trials: number;
}

/** The suites of an ad hoc run (`run --dataset --split --agent`), or the discovered ones. */
export function suitesOf(config: ResolvedConfig, discovered: readonly DiscoveredSuite[]): DiscoveredSuite[] {
  if (!config.adhoc) return [...discovered];
  const { dataset, split, agent, limit } = config.adhoc;
  const suite: EvalSuite = { name: `${dataset}/${split}`, dataset, split, agent, ...(limit !== undefined ? { tasks: { limit } } : {}) };
  return [{ suite, file: '' }];
}

export function datasetName(suite: EvalSuite): string {
  return typeof suite.dataset === 'string' ? suite.dataset : suite.dataset.name;
}

/**
 * Resolves each suite's tasks (asking the provider's sandbox, so remote servers answer for their own
 * datasets) and its agent. Unknown datasets, splits, task ids and agents fail here, before any episode.
 */
export async function buildPlan(options: {
  config: ResolvedConfig;
  suites: readonly DiscoveredSuite[];
  registry: EnvironmentRegistry;
  provider: SandboxProvider;
}): Promise<SuiteRun[]> {
  const { config, suites, registry, provider } = options;
  const runs: SuiteRun[] = [];
  for (const { suite, file } of suites) {
    const dataset = datasetName(suite);
    if (provider.name === 'embedded' && !registry.has(dataset)) throw new UnknownDatasetError(dataset, registry.names);

    const sandbox = await provider.acquire(dataset);
    let allIds: string[];
    try {
      allIds = await sandbox.getTaskIds({ envType: dataset, split: suite.split });
    } finally {
      await provider.release(sandbox, { interrupted: false });
    }

    // other providers run the env elsewhere: the local copy only lends its agents, and may not load here (appworld)
    const env = registry.has(dataset)
      ? await registry.load(dataset, dataDirOption(config, dataset)).catch((error: unknown) => {
          if (provider.name === 'embedded') throw error;
          return undefined;
        })
      : undefined;
    const agent = await resolveAgent({ spec: suite.agent, ...(env ? { env } : {}), root: config.root });
    const taskIds = selectTasks({ dataset, allIds, suite, taskPattern: config.taskPattern });
    runs.push({
      name: suite.name,
      dataset,
      split: suite.split,
      ...(file ? { file } : {}),
      tasks: taskIds.length * (suite.trials ?? config.trials),
      pass: suite.pass ?? config.pass,
      taskIds,
      agent,
      maxSteps: suite.maxSteps ?? config.maxSteps,
      timeoutMs: suite.timeoutMs ?? config.timeoutMs,
      params: suite.params ?? {},
      trials: suite.trials ?? config.trials,
      ...(suite.thresholds ? { thresholds: suite.thresholds } : {}),
    });
  }
  return runs;
}

export function dataDirOption(config: ResolvedConfig, dataset: string): { dataDir?: string } {
  const dataDir = config.dataDirs[dataset];
  return dataDir ? { dataDir } : {};
}

function selectTasks(options: { dataset: string; allIds: readonly string[]; suite: EvalSuite; taskPattern: RegExp | undefined }): string[] {
  const { dataset, allIds, suite, taskPattern } = options;
  let ids = [...allIds];
  const selection = suite.tasks ?? {};
  if (selection.ids) {
    const known = new Set(allIds);
    const unknown = selection.ids.find((id) => !known.has(id));
    if (unknown !== undefined) throw new UnknownTaskError(dataset, unknown);
    ids = [...selection.ids];
  }
  if (selection.filter) ids = ids.filter(selection.filter);
  if (selection.limit !== undefined) ids = ids.slice(0, selection.limit);
  if (taskPattern) ids = ids.filter((id) => taskPattern.test(id));
  return ids;
}
