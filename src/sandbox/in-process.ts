import { SandboxClosedError } from '../errors.js';
import type { EvaluationResult, InitialState, Message, StepResult } from '../protocol/messages.js';
import type { InstanceManager } from './instance-manager.js';
import type { Sandbox } from './types.js';

export interface InProcessSandboxOptions {
  /** The manager that holds the instances; the sandbox owns it and closes it on close(). */
  manager: InstanceManager;
}

/** The Sandbox API over an InstanceManager in this process: no serialisation, no network. */
export class InProcessSandbox implements Sandbox {
  readonly #manager: InstanceManager;
  #closing: Promise<void> | undefined;

  constructor(options: InProcessSandboxOptions) {
    this.#manager = options.manager;
  }

  getEnvProfile(options: { envType: string; split?: string }): Promise<string[]> {
    return this.#open(() => this.#manager.taskIds(options));
  }

  getTaskIds(options: { envType: string; split?: string }): Promise<string[]> {
    return this.getEnvProfile(options);
  }

  createInstance(options: { envType: string; taskId: string; instanceId?: string; params?: Record<string, unknown> }): Promise<InitialState> {
    return this.#open(() => this.#manager.create(options));
  }

  step(options: { instanceId: string; action: Message; params?: Record<string, unknown> }): Promise<StepResult> {
    return this.#open(() => this.#manager.step(options));
  }

  evaluate(options: { instanceId: string; messages?: Record<string, unknown>; params?: Record<string, unknown> }): Promise<EvaluationResult> {
    return this.#open(() => this.#manager.evaluate(options));
  }

  getInfo(options: { instanceId: string; messages?: Record<string, unknown>; params?: Record<string, unknown> }): Promise<unknown> {
    return this.#open(() => this.#manager.getInfo(options));
  }

  releaseInstance(options: { instanceId: string }): Promise<boolean> {
    return this.#open(() => this.#manager.release(options));
  }

  /** Releases every instance after its in-flight calls. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#manager.close();
    return this.#closing;
  }

  #open<T>(call: () => Promise<T>): Promise<T> {
    if (this.#closing) return Promise.reject(new SandboxClosedError());
    return call();
  }
}
