/**
 * The values that cross every boundary: messages, tool specs, and what an environment answers.
 * Shapes follow the AgentScope training-sandbox wire protocol (docs in ../../docs/protocol.md), with
 * OpenAI-style tool calls. Extra fields may be added; none of these may change meaning.
 */

/** An OpenAI-style function call made by the assistant. `arguments` is a JSON string. */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface Message {
  role: Role;
  content: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

/** An OpenAI-style function spec offered to the agent. */
export interface ToolSpec {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** What `create` answers: the initial conversation (system + user) and facts about the instance. */
export interface InitialState {
  state: Message[];
  /** Always holds `instance_id` and `task_id`; environments may add more. */
  info: { instance_id: string; task_id: string; [key: string]: unknown };
  /** The tools the agent may call, when the environment has tools (our extension of the wire shape). */
  tools?: ToolSpec[];
}

/** What `step` answers. `reward` is 0 until the episode ends; on the terminating step it is the score. */
export interface StepResult {
  state: Message[];
  reward: number;
  is_terminated: boolean;
  info: Record<string, unknown>;
  /** The full tool list, present only when it changed at this step (e.g. BFCL's withheld functions). */
  tools?: ToolSpec[];
}

/**
 * What `evaluate` answers: a score, or a detail object. Detail objects carry their score as `reward`
 * (ours) or `accuracy` (AgentScope's BFCL image); see `rewardOf`.
 */
export type EvaluationResult = number | Record<string, unknown>;

/** The numeric score of an evaluation result, or undefined when it carries none. */
export function rewardOf(result: EvaluationResult): number | undefined {
  if (typeof result === 'number') return Number.isFinite(result) ? result : undefined;
  for (const key of ['reward', 'accuracy', 'score'] as const) {
    const value = result[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}
