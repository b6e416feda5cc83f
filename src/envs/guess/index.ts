import { UnknownSplitError, UnknownTaskError } from '../../errors.js';
import type { Message, StepResult, ToolSpec } from '../../protocol/messages.js';
import type { Agent } from '../../agents/types.js';
import type { EnvInstance, Environment, EnvironmentDefinition } from '../types.js';
import { seededRandom } from '../../seeded-random.js';

/**
 * `guess`: find a hidden integer by asking higher/lower. A small but real environment (state, reward,
 * termination) for the example suite and the tests, needing no data. The reward favours few guesses:
 * 1 when found in at most ceil(log2(range)) + 1 guesses, decaying linearly to 0 at `maxGuesses`.
 * Actions: a number in the content ("42", "I guess 42"), or a `guess` tool call {"number": 42}.
 */

interface GuessTask {
  id: string;
  low: number;
  high: number;
  secret: number;
  maxGuesses: number;
}

const SPLITS: Record<string, { from: number; count: number }> = {
  train: { from: 0, count: 60 },
  val: { from: 60, count: 20 },
  test: { from: 80, count: 20 },
};

const GUESS_TOOL: ToolSpec = {
  type: 'function',
  function: {
    name: 'guess',
    description: 'Guess the hidden number.',
    parameters: { type: 'object', properties: { number: { type: 'integer' } }, required: ['number'] },
  },
};

function makeTask(index: number): GuessTask {
  const random = seededRandom(index + 1);
  const high = [10, 100, 1000][index % 3]!;
  const secret = 1 + Math.floor(random() * high);
  return { id: `guess_${index}`, low: 1, high, secret, maxGuesses: Math.ceil(Math.log2(high)) * 2 + 2 };
}

function parseGuess(action: Message): number | undefined {
  for (const call of action.tool_calls ?? []) {
    if (call.function.name !== 'guess') continue;
    try {
      const value = (JSON.parse(call.function.arguments) as { number?: unknown }).number;
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
    } catch {
      // malformed JSON arguments: treated as no guess, and the observation says so
    }
  }
  const match = /-?\d+/.exec(action.content ?? '');
  return match ? Number(match[0]) : undefined;
}

function optimalGuesses(task: GuessTask): number {
  return Math.ceil(Math.log2(task.high - task.low + 1)) + 1;
}

function scoreOf(task: GuessTask, found: boolean, guesses: number): number {
  if (!found) return 0;
  const best = optimalGuesses(task);
  if (guesses <= best) return 1;
  return Math.max(0, 1 - (guesses - best) / (task.maxGuesses - best + 1));
}

class GuessInstance implements EnvInstance {
  readonly initial;
  #guesses = 0;
  #found = false;
  #over = false;

  constructor(
    private readonly task: GuessTask,
    instanceId: string,
  ) {
    this.initial = {
      state: [
        { role: 'system' as const, content: 'You are playing a guessing game. Answer with one integer per turn, or call the `guess` tool.' },
        { role: 'user' as const, content: `I am thinking of an integer from ${task.low} to ${task.high}. You have ${task.maxGuesses} guesses.` },
      ],
      info: { instance_id: instanceId, task_id: task.id, max_guesses: task.maxGuesses },
      tools: [GUESS_TOOL],
    };
  }

  step(action: Message): StepResult {
    if (this.#over) return this.#result('The game is over.', true);
    const guess = parseGuess(action);
    if (guess === undefined) return this.#result('Invalid action: answer with an integer, e.g. "50".', false);
    this.#guesses += 1;
    if (guess === this.task.secret) {
      this.#found = true;
      this.#over = true;
      return this.#result(`Correct! ${guess} found in ${this.#guesses} guesses.`, true);
    }
    if (this.#guesses >= this.task.maxGuesses) {
      this.#over = true;
      return this.#result(`Wrong, and out of guesses. The number was ${this.task.secret}.`, true);
    }
    const hint = guess < this.task.secret ? 'higher' : 'lower';
    return this.#result(`${guess} is wrong; the number is ${hint}. ${this.task.maxGuesses - this.#guesses} guesses left.`, false);
  }

  evaluate(_messages: Record<string, unknown>, params: Record<string, unknown>) {
    const reward = scoreOf(this.task, this.#found, this.#guesses);
    if (params.sparse) return this.#found ? 1 : 0;
    return { reward, found: this.#found, guesses: this.#guesses, optimal: optimalGuesses(this.task) };
  }

  getInfo(): string {
    return 'Available tools:\n- guess(number: integer)';
  }

  #result(observation: string, terminated: boolean): StepResult {
    return {
      state: [{ role: 'user', content: observation, tool_calls: [] } as Message],
      reward: terminated ? scoreOf(this.task, this.#found, this.#guesses) : 0,
      is_terminated: terminated,
      info: { guesses: this.#guesses },
    };
  }
}

/** Binary search on the feedback: the reference solution. */
const oracle: Agent = ({ messages, task }) => {
  const index = Number(task.id.replace('guess_', ''));
  const { low, high } = makeTask(index);
  let lo = low;
  let hi = high;
  for (const message of messages) {
    const match = /^(-?\d+) is wrong; the number is (higher|lower)/.exec(message.content);
    if (!match) continue;
    const value = Number(match[1]);
    if (match[2] === 'higher') lo = Math.max(lo, value + 1);
    else hi = Math.min(hi, value - 1);
  }
  return String(Math.floor((lo + hi) / 2));
};

class GuessEnvironment implements Environment {
  readonly name = 'guess';
  readonly agents = { oracle };

  splits(): readonly string[] {
    return Object.keys(SPLITS);
  }

  taskIds(split: string): readonly string[] {
    const range = SPLITS[split];
    if (!range) throw new UnknownSplitError(this.name, split, this.splits());
    return Array.from({ length: range.count }, (_, k) => `guess_${range.from + k}`);
  }

  createInstance({ taskId, instanceId }: { taskId: string; instanceId: string }): EnvInstance {
    const match = /^guess_(\d+)$/.exec(taskId);
    const index = match ? Number(match[1]) : -1;
    if (index < 0 || index >= 100) throw new UnknownTaskError(this.name, taskId);
    return new GuessInstance(makeTask(index), instanceId);
  }
}

export const guessEnvironment: EnvironmentDefinition = {
  name: 'guess',
  description: 'Find a hidden integer by asking higher/lower (no data needed; for examples and tests)',
  load: () => new GuessEnvironment(),
};
