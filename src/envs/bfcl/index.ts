import { describeValue, InvalidRequestError, UnknownSplitError, UnknownTaskError } from '../../errors.js';
import type { Agent } from '../../agents/types.js';
import type { CreateInstanceOptions, Environment, EnvironmentLoadOptions } from '../types.js';
import { fixturesDir, loadBfclDataset, type BfclDataset, type BfclEntry } from './data.js';
import { BfclInstance, type ObservationFormat } from './instance.js';
import { createOracle } from './oracle.js';
import { ToolCatalog } from './tools.js';

/**
 * `bfcl`: the BFCL v4 multi-turn categories (base, miss_func, miss_param, long_context) in native
 * TypeScript, graded as BFCL's own checker grades them.
 *
 * Splits: `train` and `val` as AgentScope makes them (the first half, rounded down, and the rest of
 * each category's ids in file order), `test` (every entry), and one split per category present,
 * named as BFCL names it (`multi_turn_base`, `multi_turn_miss_func`, ...).
 *
 * Create params: `observation_format` (`agentscope`, the default, or `bfcl`) and `model_name`
 * (echoed in the evaluation detail).
 */

const OBSERVATION_FORMATS: readonly ObservationFormat[] = ['agentscope', 'bfcl'];

export class BfclEnvironment implements Environment {
  readonly name = 'bfcl';
  readonly agents: Readonly<Record<string, Agent>>;
  readonly dataset: BfclDataset;
  readonly #splits: ReadonlyMap<string, string[]>;
  readonly #ordered: BfclEntry[];
  readonly #catalog: ToolCatalog;

  constructor(dataset: BfclDataset) {
    this.dataset = dataset;
    this.#catalog = new ToolCatalog(dataset);
    this.#ordered = [...dataset.entries.values()];
    const train: string[] = [];
    const val: string[] = [];
    const byCategory: Array<[string, string[]]> = [];
    for (const category of dataset.categories) {
      const ids = this.#ordered.filter((entry) => entry.category === category).map((entry) => entry.id);
      const half = Math.floor(ids.length / 2);
      train.push(...ids.slice(0, half));
      val.push(...ids.slice(half));
      byCategory.push([category, ids]);
    }
    this.#splits = new Map([['train', train], ['val', val], ['test', this.#ordered.map((entry) => entry.id)], ...byCategory]);
    this.agents = { oracle: createOracle((taskId) => this.entry(taskId)) };
  }

  splits(): readonly string[] {
    return [...this.#splits.keys()];
  }

  taskIds(split: string): readonly string[] {
    const ids = this.#splits.get(split);
    if (!ids) throw new UnknownSplitError(this.name, split, this.splits());
    return ids;
  }

  /** An entry by id, or by line index over all entries (AgentScope accepts both). */
  entry(taskId: string): BfclEntry {
    const entry = this.dataset.entries.get(taskId) ?? (/^\d+$/.test(taskId) ? this.#ordered[Number(taskId)] : undefined);
    if (!entry) throw new UnknownTaskError(this.name, taskId);
    return entry;
  }

  createInstance({ taskId, instanceId, params }: CreateInstanceOptions): BfclInstance {
    const entry = this.entry(taskId);
    const format = params.observation_format ?? 'agentscope';
    if (!OBSERVATION_FORMATS.includes(format as ObservationFormat)) {
      throw new InvalidRequestError(`Expected \`observation_format\` to be one of ${OBSERVATION_FORMATS.map((f) => `'${f}'`).join(', ')}, got ${describeValue(format)}.`);
    }
    const modelName = typeof params.model_name === 'string' ? params.model_name.replace(/[/\-.]/g, '_') : 'env_handler';
    return new BfclInstance({ dataset: this.dataset, catalog: this.#catalog, entry, instanceId, taskId, observationFormat: format as ObservationFormat, modelName });
  }
}

/** Loads the environment from a BFCL data directory, or the project's fixtures without one. */
export function loadBfclEnvironment(options: EnvironmentLoadOptions = {}): BfclEnvironment {
  return new BfclEnvironment(loadBfclDataset(options.dataDir ?? fixturesDir()));
}


export { checkEntry, type CheckResult, type ModelTurns } from './checker.js';
export { loadBfclDataset, fixturesDir, type BfclDataset, type BfclEntry } from './data.js';
export { BfclInstance, MAX_STEPS_PER_TURN, type BfclEvaluation, type ObservationFormat } from './instance.js';
export { END_OF_TURN } from './oracle.js';
