import type { EvaluationResult, InitialState, Message, StepResult } from '../protocol/messages.js';

/**
 * The training-sandbox API (AgentScope's TrainingSandbox, in TypeScript). Implemented in-process
 * (InProcessSandbox over an InstanceManager) and over HTTP (HttpSandbox, our server or an AgentScope
 * container). Wrappers are Sandboxes too, so they nest.
 */
export interface Sandbox {
  /** Task ids of a split (`split` defaults to "train", as AgentScope does). */
  getEnvProfile(options: { envType: string; split?: string }): Promise<string[]>;
  /** Same as getEnvProfile; AgentScope's client has both names. */
  getTaskIds(options: { envType: string; split?: string }): Promise<string[]>;
  /** Creates an instance of a task. Its id is `info.instance_id` (the given one, or a fresh one). */
  createInstance(options: { envType: string; taskId: string; instanceId?: string; params?: Record<string, unknown> }): Promise<InitialState>;
  step(options: { instanceId: string; action: Message; params?: Record<string, unknown> }): Promise<StepResult>;
  evaluate(options: { instanceId: string; messages?: Record<string, unknown>; params?: Record<string, unknown> }): Promise<EvaluationResult>;
  getInfo(options: { instanceId: string; messages?: Record<string, unknown>; params?: Record<string, unknown> }): Promise<unknown>;
  /** Releases an instance. False when it did not exist (as the wire protocol answers). */
  releaseInstance(options: { instanceId: string }): Promise<boolean>;
  /** Idempotent; drains in-flight calls. Later calls fail with SandboxClosedError. */
  close(): Promise<void>;
}

/** Counters an InstanceManager (and the server's /metrics) reports. */
export interface InstanceMetrics {
  live: number;
  created: number;
  released: number;
  expired: number;
}
