import type { InitialState, Message, Role, StepResult, ToolSpec } from '../../protocol/messages.js';
import type { EnvInstance } from '../types.js';
import { decodeAction, type DecodedAction, type DecodedCall } from './calls.js';
import { checkEntry, forceTerminated, TurnChecker, type CheckResult } from './checker.js';
import type { BfclDataset, BfclEntry } from './data.js';
import { BackendSet, callText } from './executor.js';
import { parsePyJson, pyJsonDumps } from './python/json.js';
import type { ParsedCall } from './python/literal.js';
import { pyRepr } from './python/repr.js';
import { dict, type PyValue } from './python/values.js';
import { REVEAL_MESSAGE, type ToolCatalog, type ToolOffer } from './tools.js';

/**
 * One BFCL episode. Turn k starts with the user message(s) of turn k; every action with calls is
 * executed and answered with their results; an action without calls ends the turn. After the
 * last turn the episode completes and is graded by BFCL's checker. More than 20 call steps in one
 * turn force-quits the episode, as BFCL's inference loop does.
 */

/** BFCL's MAXIMUM_STEP_LIMIT: a turn may hold this many executed call steps; one more force-quits. */
export const MAX_STEPS_PER_TURN = 20;
export const COMPLETED = '[CONVERSATION_COMPLETED]';

/**
 * How results of calls written in the content are shown: `agentscope` (default) is AgentScope's
 * `<tool_call>` JSON blocks in a user message, `bfcl` is BFCL's prompting feedback (the Python repr
 * of `{'role': 'tool', 'name': <call>, 'content': <result>}` items). OpenAI `tool_calls` are
 * always answered with one `tool` message per call id.
 */
export type ObservationFormat = 'agentscope' | 'bfcl';

export interface BfclInstanceOptions {
  dataset: BfclDataset;
  /** Shared tool offers of the environment. */
  catalog: ToolCatalog;
  entry: BfclEntry;
  instanceId: string;
  /** The task id as requested (an entry id or a line index). */
  taskId: string;
  observationFormat: ObservationFormat;
  /** Echoed in the evaluation detail, as AgentScope's `model_name`. */
  modelName: string;
}

/** The evaluation detail: AgentScope's fields plus `reward` and BFCL's failure reason. */
export interface BfclEvaluation extends Record<string, unknown> {
  reward: number;
  valid: boolean;
  accuracy: number;
  total_count: 1;
  correct_count: number;
  test_category: string;
  test_id: string;
  model_name: string;
  input_tokens: 0;
  output_tokens: 0;
  turn_count: number;
  completed: boolean;
  force_quit: boolean;
  error_type?: string;
  error_message?: string;
  failed_turn?: number;
  error_details?: Record<string, unknown>;
}

function userMessages(entry: BfclEntry, turn: number): Message[] {
  if (entry.missedFunctions.has(turn)) return [{ role: 'user', content: REVEAL_MESSAGE }];
  return entry.turns[turn]!.map((message) => ({ role: (['system', 'user', 'assistant'].includes(message.role) ? message.role : 'user') as Role, content: message.content }));
}

/** AgentScope shows a result as JSON when it looks like JSON, else as the string. */
function observedContent(result: string): PyValue {
  if (result.startsWith('{') || result.startsWith('[')) {
    try {
      return parsePyJson(result);
    } catch {
      // Python reprs (lists with single quotes) are not JSON: shown as text
      return result;
    }
  }
  return result;
}

export class BfclInstance implements EnvInstance {
  readonly initial: InitialState;
  readonly #options: BfclInstanceOptions;
  readonly #backends: BackendSet;
  readonly #turns: ParsedCall[][][] = [[]];
  /** Every result string so far, for the checker's response containment. */
  readonly #results: string[] = [];
  /** The ground-truth side, graded turn by turn as the episode goes; made at the first turn end. */
  #checker: TurnChecker | undefined;
  #offer: ToolOffer;
  #turn = 0;
  #stepsInTurn = 0;
  #actions = 0;
  #end: 'completed' | 'force_quit' | undefined;
  #graded: { actions: number; evaluation: BfclEvaluation } | undefined;

  constructor(options: BfclInstanceOptions) {
    this.#options = options;
    const { entry, dataset } = options;
    this.#backends = new BackendSet({ involvedClasses: entry.involvedClasses, initialConfig: entry.initialConfig, longContext: dataset.longContext });
    this.#offer = options.catalog.initial(entry);
    this.initial = {
      state: [{ role: 'system', content: this.#offer.prompt }, ...userMessages(entry, 0)],
      info: { instance_id: options.instanceId, task_id: options.taskId, test_id: entry.id, tools_count: this.#offer.docs.length, questions_count: entry.turns.length },
      tools: this.#offer.tools as ToolSpec[],
    };
  }

  step(action: Message, _params: Record<string, unknown> = {}): StepResult {
    this.#actions += 1;
    if (this.#end) return this.#terminal([{ role: 'user', content: COMPLETED }]);
    const decoded = decodeAction(action);
    if (decoded && decoded.calls.length > 0) return this.#execute(decoded);
    const answers: Message[] = (decoded?.rejected ?? []).map(({ id, reason }) => ({ role: 'tool', tool_call_id: id, content: `Not executed: ${reason}; the step was dropped and the turn ended.` }));
    return this.#nextTurn(answers);
  }

  evaluate(_messages: Record<string, unknown>, params: Record<string, unknown>): number | BfclEvaluation {
    const evaluation = this.#grade();
    return params.sparse ? evaluation.reward : evaluation;
  }

  getInfo(): string {
    return `Available tools:\n${this.#offer.docs.map((doc) => `- ${doc.name}`).join('\n')}`;
  }

  #execute(decoded: DecodedAction): StepResult {
    const results = decoded.calls.map(({ call }) => this.#backends.execute(call));
    this.#results.push(...results);
    this.#turns[this.#turn]!.push(decoded.calls.map(({ call }) => call));
    this.#stepsInTurn += 1;
    const observation = this.#observation(decoded, results);
    if (this.#stepsInTurn > MAX_STEPS_PER_TURN) {
      this.#end = 'force_quit';
      // a quit in the last turn still leaves every turn answered, so BFCL grades it normally
      if (this.#turn === this.#options.entry.turns.length - 1) this.#endTurn();
      return this.#terminal([
        ...observation,
        { role: 'user', content: `[FORCE_QUIT] Turn ${this.#turn} went past ${MAX_STEPS_PER_TURN} steps with function calls; the episode ends here, as BFCL force-terminates it.` },
      ]);
    }
    return { state: observation, reward: 0, is_terminated: false, info: {} };
  }

  #observation(decoded: DecodedAction, results: string[]): Message[] {
    const calls: DecodedCall[] = decoded.calls;
    if (decoded.format === 'tool_calls') return calls.map(({ id }, index) => ({ role: 'tool', tool_call_id: id, content: results[index]! }));
    if (this.#options.observationFormat === 'bfcl') {
      const items = calls.map(({ call }, index) => dict({ role: 'tool', name: callText(call), content: results[index]! }));
      return [{ role: 'user', content: pyRepr(items) }];
    }
    const content = calls
      .map(({ id }, index) => `<tool_call>\n${pyJsonDumps(dict({ name: id, content: observedContent(results[index]!) }))}\n</tool_call>\n`)
      .join('');
    return [{ role: 'user', content, tool_calls: [] }];
  }

  #nextTurn(prefix: Message[]): StepResult {
    const { entry, catalog } = this.#options;
    this.#endTurn();
    this.#turn += 1;
    if (this.#turn >= entry.turns.length) {
      this.#end = 'completed';
      return this.#terminal([...prefix, { role: 'user', content: COMPLETED }]);
    }
    this.#turns.push([]);
    this.#stepsInTurn = 0;
    const result: StepResult = { state: [...prefix, ...userMessages(entry, this.#turn)], reward: 0, is_terminated: false, info: {} };
    if (entry.missedFunctions.has(this.#turn)) {
      this.#offer = catalog.afterReveal(entry, this.#turn, this.#offer);
      result.tools = this.#offer.tools as ToolSpec[];
    }
    return result;
  }

  #endTurn(): void {
    const { entry, dataset } = this.#options;
    this.#checker ??= new TurnChecker(entry, { longContext: dataset.longContext });
    this.#checker.endTurn(this.#backends, this.#stepsInTurn, this.#results);
  }

  #verdict(): CheckResult {
    const { entry, dataset } = this.#options;
    const expected = entry.turns.length;
    if (this.#checker && this.#checker.turns === expected) return this.#checker.verdict(this.#turns.length);
    if (this.#turns.length < expected) return forceTerminated(this.#turns.length, expected);
    // asked in the middle of the last turn: grade the answer so far by replaying it
    return checkEntry(entry, this.#turns, { longContext: dataset.longContext });
  }

  #terminal(state: Message[]): StepResult {
    const evaluation = this.#grade();
    return { state, reward: evaluation.reward, is_terminated: true, info: { valid: evaluation.valid, error_type: evaluation.error_type ?? null } };
  }

  #grade(): BfclEvaluation {
    if (this.#graded && this.#graded.actions === this.#actions) return this.#graded.evaluation;
    const { entry, modelName } = this.#options;
    const check = this.#verdict();
    const score = check.valid ? 1 : 0;
    const evaluation: BfclEvaluation = {
      reward: score,
      valid: check.valid,
      accuracy: score,
      total_count: 1,
      correct_count: score,
      test_category: entry.category,
      test_id: entry.id,
      model_name: modelName,
      input_tokens: 0,
      output_tokens: 0,
      turn_count: entry.turns.length,
      completed: this.#end === 'completed',
      force_quit: this.#end === 'force_quit',
    };
    if (!check.valid) {
      evaluation.error_type = check.errorType;
      evaluation.error_message = check.errorMessage;
      if (check.turn !== undefined) evaluation.failed_turn = check.turn;
      evaluation.error_details = check.details;
    }
    this.#graded = { actions: this.#actions, evaluation };
    return evaluation;
  }
}
