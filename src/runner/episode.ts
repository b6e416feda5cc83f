import type { Agent, AgentContext } from '../agents/types.js';
import { EnvironmentError, TimeoutError, isSandboxEvalError } from '../errors.js';
import { type Message, type StepResult, rewardOf } from '../protocol/messages.js';
import { formatZodError, messageSchema } from '../protocol/schemas.js';
import type { ErrorKind, TaskResult } from '../reporters/types.js';
import type { Sandbox } from '../sandbox/types.js';

/** Everything one episode needs; built by the plan. */
export interface Episode {
  suite: string;
  dataset: string;
  split: string;
  taskId: string;
  trial: number;
  agent: Agent;
  maxSteps: number;
  pass: number;
  timeoutMs: number;
  params: Record<string, unknown>;
  /** Our own instance id, so a create that timed out can still be released. */
  instanceId: string;
}

/** Thrown out of runEpisode when the run was interrupted: the episode has no result to report. */
export class EpisodeInterrupted extends Error {
  constructor() {
    super('episode interrupted');
    this.name = 'EpisodeInterrupted';
  }
}

/** The longest an episode waits for its instance's release (at most its own time limit). */
const RELEASE_WAIT_MS = 5_000;

/** Error codes that mean the sandbox itself failed, not the environment's logic. */
const INFRASTRUCTURE_CODES = new Set([
  'SE_SANDBOX_UNAVAILABLE',
  'SE_SANDBOX_CLOSED',
  'SE_CAPACITY',
  'SE_INSTANCE_NOT_FOUND',
  'SE_TIMEOUT',
  'SE_UNAUTHORIZED',
]);

/** An error tagged with whose fault it was. */
class EpisodeError extends Error {
  constructor(
    readonly kind: ErrorKind,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/**
 * Runs one episode: create -> (agent -> step)* until the env terminates or maxSteps -> evaluate ->
 * release. Never throws for a failing task: agent, env, infrastructure and timeout failures come back
 * as an errored TaskResult. Throws EpisodeInterrupted only when `runSignal` aborts (Ctrl-C).
 */
export async function runEpisode(episode: Episode, sandbox: Sandbox, runSignal: AbortSignal): Promise<TaskResult> {
  const started = performance.now();
  const stop = new EpisodeStop(runSignal, episode.timeoutMs);
  const signal = stop.signal;
  const { suite, dataset, split, taskId, trial, instanceId } = episode;

  const trajectory: Message[] = [];
  let steps = 0;
  let created = false;
  let lastReward = 0;

  try {
    const initial = await call('sandbox', stop, () => sandbox.createInstance({ envType: dataset, taskId, instanceId, params: episode.params }));
    if (!Array.isArray(initial?.state)) {
      throw new EpisodeError('env', new EnvironmentError(`create answered ${JSON.stringify(initial)?.slice(0, 120)}; expected { state: Message[], info }.`));
    }
    created = true;
    trajectory.push(...initial.state);
    let tools = initial.tools;

    while (steps < episode.maxSteps) {
      const task = { dataset, split, id: taskId, trial };
      const context: AgentContext = tools ? { messages: trajectory, tools, task, step: steps, signal } : { messages: trajectory, task, step: steps, signal };
      const answer = await call('agent', stop, () => episode.agent(context));
      const action = toAction(answer);
      trajectory.push(action);
      const result = checkedStep(await call('sandbox', stop, () => sandbox.step({ instanceId, action })));
      steps += 1;
      trajectory.push(...result.state);
      if (result.tools) tools = result.tools;
      lastReward = result.reward;
      if (result.is_terminated) break;
    }

    const evaluation = await call('sandbox', stop, () => sandbox.evaluate({ instanceId, params: { sparse: false } }));
    const reward = rewardOf(evaluation) ?? lastReward;
    if (!Number.isFinite(reward)) {
      throw new EpisodeError('env', new EnvironmentError(`The environment gave reward ${String(reward)}; rewards must be finite numbers.`));
    }
    const result: TaskResult = {
      suite,
      dataset,
      split,
      taskId,
      trial,
      reward,
      status: reward >= episode.pass ? 'passed' : 'failed',
      steps,
      durationMs: performance.now() - started,
      trajectory,
    };
    if (typeof evaluation === 'object') result.evaluation = evaluation;
    return result;
  } catch (error) {
    if (error instanceof EpisodeInterrupted || stop.reason instanceof EpisodeInterrupted) throw new EpisodeInterrupted();
    const failure = error instanceof EpisodeError ? error : new EpisodeError('agent', error);
    const cause = failure.cause;
    return {
      suite,
      dataset,
      split,
      taskId,
      trial,
      reward: 0,
      status: 'errored',
      steps,
      durationMs: performance.now() - started,
      trajectory,
      error: { kind: failure.kind, message: failure.message, ...(isSandboxEvalError(cause) ? { code: cause.code } : {}) },
    };
  } finally {
    stop.end();
    if (created || stop.reason !== undefined) {
      // release even after a timed-out create (the instance may exist); a failed release changes
      // nothing about the result, and the sandbox's idle timeout frees the instance anyway. Bounded:
      // a call that never answers holds its instance (calls on one instance run in turn), and must not
      // hold the run's slot, and so the run, with it.
      const released = sandbox.releaseInstance({ instanceId }).catch(() => false);
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise((resolve) => (timer = setTimeout(resolve, Math.min(RELEASE_WAIT_MS, episode.timeoutMs))));
      await Promise.race([released, gaveUp]);
      clearTimeout(timer);
    }
  }
}

/** The episodes in flight under each run signal, so a run needs one abort listener, not one per episode. */
const inFlight = new WeakMap<AbortSignal, Set<EpisodeStop>>();

/**
 * Why and when an episode must stop: its time limit or the run's interruption. Aborts the signal the
 * agent got and fails the phase in progress. Phases run one at a time, so it keeps the one that may
 * be failed: no abort listener, never-settling promise or Promise.race per phase (those were most of
 * the runner's own time and garbage per task).
 */
class EpisodeStop {
  /** Why the episode stopped; undefined while it runs. */
  reason: unknown = undefined;
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #episodes: Set<EpisodeStop>;
  /** Fails the phase in progress (a no-op once that phase settled). */
  #failPhase: ((error: Error) => void) | undefined;

  constructor(runSignal: AbortSignal, timeoutMs: number) {
    let episodes = inFlight.get(runSignal);
    if (!episodes) {
      const watched = (episodes = new Set());
      inFlight.set(runSignal, watched);
      runSignal.addEventListener('abort', () => {
        for (const episode of [...watched]) episode.#abort(new EpisodeInterrupted());
      }, { once: true });
    }
    episodes.add(this);
    this.#episodes = episodes;
    this.#timer = setTimeout(() => this.#abort(new TimeoutError(`Episode exceeded its time limit of ${timeoutMs} ms.`)), timeoutMs);
  }

  /** Aborted on timeout or Ctrl-C: what the agent gets. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Throws the tagged error for the stop, if the episode has stopped. */
  check(): void {
    if (this.reason !== undefined) throw abortError(this.reason);
  }

  /**
   * What `pending` settles to, its failure tagged with whose fault it was; or the stop's error as soon
   * as the episode stops, whichever comes first.
   */
  phase<T>(phase: 'agent' | 'sandbox', pending: PromiseLike<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#failPhase = reject;
      pending.then(resolve, (error: unknown) => reject(tagged(phase, error)));
      // stopped while the phase began (by fn itself): fail now, as the abort found no phase to fail
      if (this.reason !== undefined) reject(abortError(this.reason));
    });
  }

  /** The episode is over: no timeout, no interruption any more. */
  end(): void {
    clearTimeout(this.#timer);
    this.#episodes.delete(this);
    this.#failPhase = undefined;
  }

  #abort(reason: unknown): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.#controller.abort(reason);
    this.#failPhase?.(abortError(reason));
  }
}

/**
 * Runs `fn`, racing it against the episode's stop, and tags its failure with whose fault it was. A
 * value `fn` answers synchronously comes back as is, without a promise.
 */
function call<T>(phase: 'agent' | 'sandbox', stop: EpisodeStop, fn: () => T | PromiseLike<T>): T | Promise<T> {
  stop.check();
  let value: T | PromiseLike<T>;
  try {
    value = fn();
  } catch (error) {
    throw tagged(phase, error);
  }
  if (!isPromiseLike(value)) {
    // fn may have run long enough for the time limit to pass, or have interrupted the run itself
    stop.check();
    return value;
  }
  return stop.phase(phase, value);
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** An error out of a phase, tagged with whose fault it was (errors already tagged pass through). */
function tagged(phase: 'agent' | 'sandbox', error: unknown): Error {
  if (error instanceof EpisodeError || error instanceof EpisodeInterrupted) return error;
  if (phase === 'agent') return new EpisodeError('agent', error);
  const infrastructure = isSandboxEvalError(error) && INFRASTRUCTURE_CODES.has(error.code);
  return new EpisodeError(infrastructure ? 'infra' : 'env', error);
}

function abortError(reason: unknown): Error {
  if (reason instanceof EpisodeInterrupted) return reason;
  return new EpisodeError('timeout', reason);
}

/** A step result the runner can use, or an env error saying what was wrong with it. */
function checkedStep(result: StepResult): StepResult {
  if (!result || !Array.isArray(result.state) || typeof result.is_terminated !== 'boolean' || typeof result.reward !== 'number') {
    throw new EpisodeError(
      'env',
      new EnvironmentError(`step answered ${JSON.stringify(result)?.slice(0, 120)}; expected { state: Message[], reward: number, is_terminated: boolean, info }.`),
    );
  }
  return result;
}

/** Normalises what an agent answered into an assistant message, or fails with a message saying what was wrong. */
function toAction(answer: unknown): Message {
  if (typeof answer === 'string') return { role: 'assistant', content: answer };
  if (answer && typeof answer === 'object') {
    const message = answer as Partial<Message> & { content?: unknown };
    const hasCalls = Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
    if ((message.role === undefined || message.role === 'assistant') && (typeof message.content === 'string' || (hasCalls && message.content == null))) {
      const action = { ...message, role: 'assistant', content: typeof message.content === 'string' ? message.content : '' };
      // the shape the server's schema demands, so a malformed tool call is the agent's error under every
      // provider, not an environment crash in-process and a 422 over HTTP
      const checked = messageSchema.safeParse(action, { reportInput: true });
      if (!checked.success) throw new EpisodeError('agent', new TypeError(`Agent returned a malformed message: ${formatZodError(checked.error, { root: 'message' })}.`));
      return checked.data;
    }
  }
  const shown = answer === undefined ? 'undefined' : JSON.stringify(answer)?.slice(0, 120);
  throw new EpisodeError('agent', new TypeError(`Agent returned ${shown}; expected a string or an assistant message { role: 'assistant', content: string, tool_calls? }.`));
}
