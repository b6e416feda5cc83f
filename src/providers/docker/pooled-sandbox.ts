import { withFlatToolCalls } from '../../envs/appworld/actions.js';
import { SandboxClosedError, isSandboxEvalError } from '../../errors.js';
import type { EvaluationResult, InitialState, Message, StepResult } from '../../protocol/messages.js';
import type { Sandbox } from '../../sandbox/types.js';
import type { ContainerPool, PooledContainer } from './pool.js';

/** Failures that may mean the container died or hung, rather than that the environment refused a call. */
const SUSPECT_CODES = new Set(['SE_SANDBOX_UNAVAILABLE', 'SE_TIMEOUT']);

/**
 * One episode's lease on a pooled container: a Sandbox over the container's HttpSandbox that tells
 * the pool when a call failed for infrastructure reasons (so a dead container is replaced before the
 * runner retries the task) or was given up on unanswered (so a frozen one gets no new episode), and
 * reshapes actions for images that want flat tool calls.
 */
export class PooledSandbox implements Sandbox {
  readonly pool: ContainerPool;
  readonly container: PooledContainer;
  /** Calls sent and not yet answered. */
  #pending = 0;
  #closed = false;

  constructor(pool: ContainerPool, container: PooledContainer) {
    this.pool = pool;
    this.container = container;
  }

  /** The container's base URL. */
  get url(): string {
    return this.container.url;
  }

  getEnvProfile(options: { envType: string; split?: string }): Promise<string[]> {
    return this.#call(() => this.container.sandbox.getEnvProfile(options));
  }

  getTaskIds(options: { envType: string; split?: string }): Promise<string[]> {
    return this.#call(() => this.container.sandbox.getTaskIds(options));
  }

  createInstance(options: { envType: string; taskId: string; instanceId?: string; params?: Record<string, unknown> }): Promise<InitialState> {
    return this.#call(() => this.container.sandbox.createInstance(options));
  }

  step(options: { instanceId: string; action: Message; params?: Record<string, unknown> }): Promise<StepResult> {
    // the flat shape is what the image reads; it only travels as JSON, so the Message type is a formality here
    const action = this.pool.image.toolCalls === 'flat' ? (withFlatToolCalls(options.action) as unknown as Message) : options.action;
    return this.#call(() => this.container.sandbox.step({ ...options, action }));
  }

  evaluate(options: { instanceId: string; messages?: Record<string, unknown>; params?: Record<string, unknown> }): Promise<EvaluationResult> {
    return this.#call(() => this.container.sandbox.evaluate(options));
  }

  getInfo(options: { instanceId: string; messages?: Record<string, unknown>; params?: Record<string, unknown> }): Promise<unknown> {
    return this.#call(() => this.container.sandbox.getInfo(options));
  }

  releaseInstance(options: { instanceId: string }): Promise<boolean> {
    // an episode makes one call at a time: a release sent while a call is pending means the episode
    // gave up on that call (its time limit), the earliest sign that the container may be frozen
    if (this.#pending > 0) this.pool.reportUnanswered(this.container);
    return this.#call(() => this.container.sandbox.releaseInstance(options));
  }

  /** Calls of this lease that have not answered yet. */
  get pending(): number {
    return this.#pending;
  }

  /** Ends this lease; the container and its connections belong to the pool. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new SandboxClosedError('docker sandbox lease');
    this.#pending += 1;
    try {
      return await fn();
    } catch (error) {
      // checked before the error reaches the runner, so its retry gets a live container
      if (isSandboxEvalError(error) && SUSPECT_CODES.has(error.code)) await this.pool.reportFailure(this.container);
      throw error;
    } finally {
      this.#pending -= 1;
    }
  }
}
