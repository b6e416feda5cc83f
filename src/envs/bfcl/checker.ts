import type { BfclEntry } from './data.js';
import { BackendSet } from './executor.js';
import type { LongContextFiller } from './long-context.js';
import { pyEquals } from './python/equals.js';
import type { ParsedCall } from './python/literal.js';
import { pyRepr } from './python/repr.js';

/**
 * BFCL's multi-turn checker (`multi_turn_checker.py`): the model's calls and the ground truth run
 * on separate instances, turn by turn; after every turn whose ground truth is non-empty it requires
 * a model call in that turn, equal public state for every class, and the ground truth's result
 * strings contained (as a multiset) in all the model's results so far. The first failure decides.
 *
 * `TurnChecker` does this one turn at a time, so a live episode is graded as it goes (its own
 * backends are the model side); `checkEntry` replays a recorded answer, as BFCL does.
 */

/** The model's decoded calls: per turn, per step, the calls of that step. */
export type ModelTurns = ReadonlyArray<ReadonlyArray<readonly ParsedCall[]>>;

export type CheckErrorType =
  | 'multi_turn:force_terminated'
  | 'multi_turn:empty_turn_model_response'
  | 'multi_turn:instance_state_mismatch'
  | 'multi_turn:execution_response_mismatch';

export interface CheckResult {
  valid: boolean;
  /** BFCL's error type, when invalid. */
  errorType?: CheckErrorType;
  /** BFCL's error message, when invalid. */
  errorMessage?: string;
  /** The turn that failed (0-based), when one did. */
  turn?: number;
  details?: Record<string, unknown>;
}

export interface CheckOptions {
  longContext: LongContextFiller | undefined;
}

/** BFCL's verdict when the answer has a different number of turns than the entry. */
export function forceTerminated(turns: number, expected: number): CheckResult {
  return {
    valid: false,
    errorType: 'multi_turn:force_terminated',
    errorMessage: `Model was force-terminated during inference phase. The length of the model result turns (${turns}) does not match the length of the ground truth turns (${expected}).`,
    details: {},
  };
}

function stateMismatch(model: BackendSet, groundTruth: BackendSet): { className: string; differences: Record<string, { model: string; ground_truth: string }> } | undefined {
  const modelStates = model.states();
  for (const { className, attributes } of groundTruth.states()) {
    const theirs = modelStates.find((state) => state.className === className)?.attributes ?? [];
    const differences: Record<string, { model: string; ground_truth: string }> = {};
    for (const [name, value] of attributes) {
      const found = theirs.find(([attribute]) => attribute === name);
      if (!found || !pyEquals(found[1], value)) differences[name] = { model: found ? pyRepr(found[1]) : '<missing>', ground_truth: pyRepr(value) };
    }
    if (Object.keys(differences).length > 0) return { className, differences };
  }
  return undefined;
}

/** The ground-truth side of one entry, advanced one turn at a time against a model side. */
export class TurnChecker {
  readonly #entry: BfclEntry;
  readonly #groundTruth: BackendSet;
  #turn = 0;
  #failure: CheckResult | undefined;

  constructor(entry: BfclEntry, options: CheckOptions) {
    this.#entry = entry;
    this.#groundTruth = new BackendSet({ involvedClasses: entry.involvedClasses, initialConfig: entry.initialConfig, longContext: options.longContext });
  }

  /** Turns checked so far. */
  get turns(): number {
    return this.#turn;
  }

  /** The first failure, if any turn failed. */
  get failure(): CheckResult | undefined {
    return this.#failure;
  }

  /**
   * Checks the next turn. `model` holds the model side after the turn, `steps` how many non-empty
   * call steps the model made in it, `allResults` every model result string of turns 0..t.
   */
  endTurn(model: BackendSet, steps: number, allResults: readonly string[]): CheckResult | undefined {
    const turn = this.#turn;
    this.#turn += 1;
    if (this.#failure) return this.#failure;
    const expectedCalls = this.#entry.groundTruth[turn] ?? [];
    const expected = expectedCalls.map(({ call }) => this.#groundTruth.execute(call));
    if (expectedCalls.length === 0) return undefined;
    if (steps === 0) {
      this.#failure = { valid: false, errorType: 'multi_turn:empty_turn_model_response', errorMessage: `Model response list is empty for turn ${turn}`, turn, details: {} };
      return this.#failure;
    }
    const mismatch = stateMismatch(model, this.#groundTruth);
    if (mismatch) {
      this.#failure = {
        valid: false,
        errorType: 'multi_turn:instance_state_mismatch',
        errorMessage: `Model instance for ${mismatch.className} does not match the state with ground truth instance.`,
        turn,
        details: { differences: mismatch.differences },
      };
      return this.#failure;
    }
    // multiset containment: each expected result uses up one equal model result
    const pool = new Map<string, number>();
    for (const result of allResults) pool.set(result, (pool.get(result) ?? 0) + 1);
    const missing: string[] = [];
    for (const result of expected) {
      const left = pool.get(result) ?? 0;
      if (left > 0) pool.set(result, left - 1);
      else missing.push(result);
    }
    if (missing.length > 0) {
      this.#failure = {
        valid: false,
        errorType: 'multi_turn:execution_response_mismatch',
        errorMessage: `Model response execution results so far does not contain all the ground truth response execution results for turn ${turn}.`,
        turn,
        details: { missing_items: missing, ground_truth_response: expected },
      };
    }
    return this.#failure;
  }

  /** The verdict once the model side recorded `modelTurns` turns. */
  verdict(modelTurns: number): CheckResult {
    const expected = this.#entry.groundTruth.length;
    if (modelTurns !== expected) return forceTerminated(modelTurns, expected);
    return this.#failure ?? { valid: true };
  }
}

/** Grades a recorded answer exactly as BFCL's multi-turn checker, on fresh instances. */
export function checkEntry(entry: BfclEntry, modelTurns: ModelTurns, options: CheckOptions): CheckResult {
  if (modelTurns.length !== entry.groundTruth.length) return forceTerminated(modelTurns.length, entry.groundTruth.length);
  const model = new BackendSet({ involvedClasses: entry.involvedClasses, initialConfig: entry.initialConfig, longContext: options.longContext });
  const checker = new TurnChecker(entry, options);
  const allResults: string[] = [];
  for (const turn of modelTurns) {
    // steps that decoded to nothing are dropped, as BFCL drops them
    const steps = turn.filter((step) => step.length > 0);
    for (const step of steps) for (const call of step) allResults.push(model.execute(call));
    if (checker.endTurn(model, steps.length, allResults)) break;
  }
  return checker.verdict(modelTurns.length);
}
