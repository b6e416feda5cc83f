import type { EvaluationResult, InitialState, Message, StepResult } from '../protocol/messages.js';
import type { Agent } from '../agents/types.js';

/**
 * One environment type (a dataset): its splits, its tasks, and how to make a live instance of a task.
 * Environments are pure TypeScript with no I/O but reading their data, so they run in-process, behind
 * our HTTP server, or in our container alike.
 */
export interface Environment {
  /** The env type name, as used in `dataset:` and on the wire (`env_type`). */
  readonly name: string;
  /** Split names, in the order `sandbox-eval datasets` lists them. */
  splits(): readonly string[];
  /** Task ids of a split, in a stable order. Throws UnknownSplitError for an unknown split. */
  taskIds(split: string): readonly string[];
  /** Makes a live instance of a task. Throws UnknownTaskError for an unknown task id. */
  createInstance(options: CreateInstanceOptions): EnvInstance | Promise<EnvInstance>;
  /**
   * Agents that only make sense for this environment, by name (e.g. `oracle`, which replays the
   * reference solution). `--agent <name>` looks here before the global built-ins.
   */
  readonly agents?: Readonly<Record<string, Agent>>;
}

export interface CreateInstanceOptions {
  taskId: string;
  instanceId: string;
  /** The wire request's `params`, passed through. */
  params: Record<string, unknown>;
}

/** A live episode of one task. Calls on one instance are serialised by the InstanceManager. */
export interface EnvInstance {
  /** The initial state: system and user messages, `info` with instance_id and task_id, and tools. */
  readonly initial: InitialState;
  /** Applies one action (an assistant message). Never throws for a bad action: it says so in the observation. */
  step(action: Message, params: Record<string, unknown>): StepResult | Promise<StepResult>;
  /** Scores the episode so far. `params.sparse` asks for a bare number where the env has a detail object. */
  evaluate(messages: Record<string, unknown>, params: Record<string, unknown>): EvaluationResult | Promise<EvaluationResult>;
  /** The wire's `get_info`: a description of the tools, or any JSON value the env finds useful. */
  getInfo?(messages: Record<string, unknown>, params: Record<string, unknown>): unknown;
  /** Frees what the instance holds. Called once, on release or expiry. */
  close?(): void | Promise<void>;
}

/** Options every environment loader receives; from `--data` or the config's `data`. */
export interface EnvironmentLoadOptions {
  /** A directory holding the environment's data in its upstream layout; the env's own fixtures when absent. */
  dataDir?: string;
}

/**
 * A registrable environment type. `load` is called at most once per data directory and run; the
 * returned Environment is shared by every instance (data and indexes are loaded once).
 */
export interface EnvironmentDefinition {
  readonly name: string;
  /** One line for `sandbox-eval datasets`. */
  readonly description: string;
  load(options: EnvironmentLoadOptions): Environment | Promise<Environment>;
}

/** Typed helper for user-defined environments in eval.config.ts or an eval file. */
export function defineEnvironment(definition: EnvironmentDefinition): EnvironmentDefinition {
  return definition;
}
