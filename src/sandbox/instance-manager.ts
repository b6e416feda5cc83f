import { randomUUID } from 'node:crypto';
import {
  CapacityError,
  ConfigError,
  DuplicateInstanceError,
  EnvironmentError,
  InstanceNotFoundError,
  SandboxClosedError,
  describeValue,
  isSandboxEvalError,
} from '../errors.js';
import type { EnvironmentRegistry } from '../envs/registry.js';
import type { EnvInstance, Environment } from '../envs/types.js';
import type { EvaluationResult, InitialState, Message, StepResult } from '../protocol/messages.js';
import type { InstanceMetrics } from './types.js';

export interface InstanceManagerOptions {
  /** Where env types are looked up and loaded. */
  registry: EnvironmentRegistry;
  /** Data directory per env type, passed to `registry.load`. */
  dataDirs?: Record<string, string>;
  /**
   * An instance not accessed (create, step, evaluate, get_info) for this long is released.
   * 0 disables expiry. @default 300_000 (5 minutes)
   */
  idleTimeoutMs?: number;
  /** How often idle instances are looked for. @default min(idleTimeoutMs, 60_000) */
  sweepIntervalMs?: number;
  /** Most live instances at once; creating one more fails with CapacityError. @default 10_000 */
  maxInstances?: number;
}

interface Entry {
  readonly id: string;
  readonly envType: string;
  readonly instance: EnvInstance;
  lastAccess: number;
  /** Calls queued or running; an entry with pending calls is never idle. */
  pending: number;
  /** Tail of the per-instance call chain: calls on one instance run one after another. */
  tail: Promise<unknown>;
}

const noop = (): void => {};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Our own errors pass through; anything an environment throws becomes an EnvironmentError. */
function wrapEnvError(error: unknown, envType: string, operation: string): Error {
  if (isSandboxEvalError(error)) return error;
  return new EnvironmentError(`Environment "${envType}" failed in ${operation}: ${messageOf(error)}`, { cause: error });
}

function positiveInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`Expected \`${name}\` to be an integer from ${min} and up, got ${describeValue(value)}.`);
  }
  return value;
}

/**
 * Owns the live instances of one sandbox: ids, idle expiry, a cap, per-instance serialisation of
 * calls (different instances run concurrently), and counters. Shared by the in-process sandbox and
 * the HTTP server.
 */
export class InstanceManager {
  readonly #registry: EnvironmentRegistry;
  readonly #dataDirs: Record<string, string>;
  readonly #idleTimeoutMs: number;
  readonly #maxInstances: number;
  readonly #entries = new Map<string, Entry>();
  /** Ids whose create is in progress: they count against the cap and as taken. */
  readonly #creating = new Map<string, Promise<unknown>>();
  readonly #sweeper: NodeJS.Timeout | undefined;
  #created = 0;
  #released = 0;
  #expired = 0;
  #closing: Promise<void> | undefined;

  constructor(options: InstanceManagerOptions) {
    this.#registry = options.registry;
    this.#dataDirs = { ...options.dataDirs };
    this.#idleTimeoutMs = positiveInteger('idleTimeoutMs', options.idleTimeoutMs ?? 300_000, 0);
    this.#maxInstances = positiveInteger('maxInstances', options.maxInstances ?? 10_000, 1);
    if (this.#idleTimeoutMs > 0) {
      const interval = positiveInteger('sweepIntervalMs', options.sweepIntervalMs ?? Math.min(this.#idleTimeoutMs, 60_000), 1);
      this.#sweeper = setInterval(() => this.#sweep(), interval);
      // the sweep must never keep a process alive on its own
      this.#sweeper.unref();
    }
  }

  get metrics(): InstanceMetrics {
    return { live: this.#entries.size, created: this.#created, released: this.#released, expired: this.#expired };
  }

  /** Task ids of a split (default "train"). Not an access: it touches no instance. */
  async taskIds(options: { envType: string; split?: string }): Promise<string[]> {
    this.#assertOpen();
    const env = await this.#load(options.envType);
    try {
      return [...env.taskIds(options.split ?? 'train')];
    } catch (error) {
      throw wrapEnvError(error, options.envType, 'get_env_profile');
    }
  }

  /** Creates an instance; its id is the given one or a fresh `exp_<unix seconds>_<8 hex>`. */
  async create(options: { envType: string; taskId: string; instanceId?: string; params?: Record<string, unknown> }): Promise<InitialState> {
    this.#assertOpen();
    const { envType, taskId } = options;
    const id = options.instanceId ?? this.#freshId();
    if (this.#entries.has(id) || this.#creating.has(id)) throw new DuplicateInstanceError(id);
    if (this.#entries.size + this.#creating.size >= this.#maxInstances) throw new CapacityError(this.#maxInstances);

    const building = this.#build(envType, taskId, id, options.params ?? {});
    this.#creating.set(id, building);
    let instance: EnvInstance;
    try {
      instance = await building;
    } finally {
      this.#creating.delete(id);
    }
    if (this.#closing) {
      // close() began while the env was building the instance: nobody will release it later. The
      // caller learns the sandbox is closed; a failing close of an instance it never saw adds nothing.
      await this.#closeInstance(instance, envType).catch(noop);
      throw new SandboxClosedError('instance manager');
    }
    this.#entries.set(id, { id, envType, instance, lastAccess: Date.now(), pending: 0, tail: Promise.resolve() });
    this.#created += 1;
    const initial = instance.initial;
    // the wire's clients rely on info.instance_id and info.task_id, whatever the env wrote
    return { ...initial, info: { ...initial.info, instance_id: id, task_id: taskId } };
  }

  step(options: { instanceId: string; action: Message; params?: Record<string, unknown> }): Promise<StepResult> {
    return this.#call(options.instanceId, 'step', (entry) => entry.instance.step(options.action, options.params ?? {}));
  }

  evaluate(options: { instanceId: string; messages?: Record<string, unknown>; params?: Record<string, unknown> }): Promise<EvaluationResult> {
    return this.#call(options.instanceId, 'evaluate', (entry) => entry.instance.evaluate(options.messages ?? {}, options.params ?? {}));
  }

  getInfo(options: { instanceId: string; messages?: Record<string, unknown>; params?: Record<string, unknown> }): Promise<unknown> {
    return this.#call(options.instanceId, 'get_info', (entry) => {
      const { instance } = entry;
      if (instance.getInfo) return instance.getInfo(options.messages ?? {}, options.params ?? {});
      // envs without get_info answer what AgentScope's BFCL env answers: the tool names
      const names = (instance.initial.tools ?? []).map((tool) => `- ${tool.function.name}`);
      return ['Available tools:', ...names].join('\n');
    });
  }

  /**
   * Releases an instance once the calls already queued on it have finished. False for an unknown
   * id (as the wire answers). Not an access. A failing env close() still removes the instance.
   */
  async release(options: { instanceId: string }): Promise<boolean> {
    const entry = this.#entries.get(options.instanceId);
    if (!entry) return false;
    await this.#retire(entry);
    this.#released += 1;
    return true;
  }

  /** Releases every instance, after their in-flight calls. Idempotent; later calls fail with SandboxClosedError. */
  close(): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  async #closeAll(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    // creates in progress see #closing when they finish and close their own instance
    await Promise.allSettled(this.#creating.values());
    const results = await Promise.allSettled([...this.#entries.values()].map((entry) => this.#retire(entry)));
    this.#released += results.length;
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  #assertOpen(): void {
    if (this.#closing) throw new SandboxClosedError('instance manager');
  }

  #freshId(): string {
    for (;;) {
      // randomUUID draws from a cached pool; randomBytes made a blocking call per create (~2% of a loaded server's CPU)
      const id = `exp_${Math.floor(Date.now() / 1000)}_${randomUUID().slice(0, 8)}`;
      if (!this.#entries.has(id) && !this.#creating.has(id)) return id;
    }
  }

  async #load(envType: string): Promise<Environment> {
    const dataDir = this.#dataDirs[envType];
    try {
      return await this.#registry.load(envType, dataDir === undefined ? {} : { dataDir });
    } catch (error) {
      throw wrapEnvError(error, envType, 'load');
    }
  }

  async #build(envType: string, taskId: string, instanceId: string, params: Record<string, unknown>): Promise<EnvInstance> {
    const env = await this.#load(envType);
    try {
      return await env.createInstance({ taskId, instanceId, params });
    } catch (error) {
      throw wrapEnvError(error, envType, 'create');
    }
  }

  /** Runs `fn` after the calls already queued on the instance; counts as an access. */
  #call<T>(instanceId: string, operation: string, fn: (entry: Entry) => T | Promise<T>): Promise<T> {
    if (this.#closing) return Promise.reject(new SandboxClosedError('instance manager'));
    const entry = this.#entries.get(instanceId);
    if (!entry) return Promise.reject(new InstanceNotFoundError(instanceId));
    entry.lastAccess = Date.now();
    entry.pending += 1;
    const run = entry.tail.then(async () => {
      try {
        return await fn(entry);
      } catch (error) {
        throw wrapEnvError(error, entry.envType, operation);
      } finally {
        entry.pending -= 1;
        entry.lastAccess = Date.now();
      }
    });
    entry.tail = run.then(noop, noop);
    return run;
  }

  /** Removes the entry now (new calls see "not found"), then closes the instance after queued calls. */
  #retire(entry: Entry): Promise<void> {
    this.#entries.delete(entry.id);
    const closing = entry.tail.then(() => this.#closeInstance(entry.instance, entry.envType));
    entry.tail = closing.then(noop, noop);
    return closing;
  }

  async #closeInstance(instance: EnvInstance, envType: string): Promise<void> {
    try {
      await instance.close?.();
    } catch (error) {
      throw wrapEnvError(error, envType, 'close');
    }
  }

  #sweep(): void {
    const deadline = Date.now() - this.#idleTimeoutMs;
    for (const entry of [...this.#entries.values()]) {
      if (entry.pending > 0 || entry.lastAccess > deadline) continue;
      this.#expired += 1;
      this.#retire(entry).catch((error: unknown) => {
        // no caller is waiting on an expiry, so a failing close is reported as a process warning
        process.emitWarning(`Instance ${entry.id} expired but its close() failed: ${messageOf(error)}`, { code: 'SE_ENV_ERROR' });
      });
    }
  }
}
