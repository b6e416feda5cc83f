import type { Message, ToolSpec } from '../protocol/messages.js';

/** Which task an agent is working on. `trial` counts from 0. */
export interface TaskRef {
  dataset: string;
  split: string;
  id: string;
  trial: number;
}

export interface AgentContext {
  /** The whole history so far: initial state, actions, observations. */
  messages: readonly Message[];
  /** OpenAI-style function specs when the environment has tools. */
  tools?: readonly ToolSpec[];
  task: TaskRef;
  /** Steps taken so far in this episode (0 on the first call). */
  step: number;
  /** Aborted on timeout or Ctrl-C; pass it on to any request the agent makes. */
  signal: AbortSignal;
}

/** An agent maps the conversation so far to its next action. A string means `{ role: 'assistant', content }`. */
export type Agent = (context: AgentContext) => Promise<Message | string> | Message | string;
