import type { Agent } from '../agents/types.js';
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
  const controller = new AbortController();
  const onRunAbort = () => controller.abort(new EpisodeInterrupted());
  runSignal.addEventListener('abort', onRunAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new TimeoutError(`Episode exceeded its time limit of ${episode.timeoutMs} ms.`)), episode.timeoutMs);
  const signal = controller.signal;

  const trajectory: Message[] = [];
  let steps = 0;
  let created = false;
  let lastReward = 0;
  const base = { suite: episode.suite, dataset: episode.dataset, split: episode.split, taskId: episode.taskId, trial: episode.trial };

  try {
    const initial = await call('sandbox', signal, async () => {
      const state = await sandbox.createInstance({ envType: episode.dataset, taskId: episode.taskId, instanceId: episode.instanceId, params: episode.params });
      if (!Array.isArray(state?.state)) throw new EnvironmentError(`create answered ${JSON.stringify(state)?.slice(0, 120)}; expected { state: Message[], info }.`);
      return state;
    });
    created = true;
    trajectory.push(...initial.state);
    let tools = initial.tools;

    while (steps < episode.maxSteps) {
      const answer = await call('agent', signal, () =>
        episode.agent({
          messages: trajectory,
          ...(tools ? { tools } : {}),
          task: { dataset: episode.dataset, split: episode.split, id: episode.taskId, trial: episode.trial },
          step: steps,
          signal,
        }),
      );
      const action = toAction(answer);
      trajectory.push(action);
      const result = await call('sandbox', signal, async () => checkedStep(await sandbox.step({ instanceId: episode.instanceId, action })));
      steps += 1;
      trajectory.push(...result.state);
      if (result.tools) tools = result.tools;
      lastReward = result.reward;
      if (result.is_terminated) break;
    }

    const evaluation = await call('sandbox', signal, () => sandbox.evaluate({ instanceId: episode.instanceId, params: { sparse: false } }));
    const reward = rewardOf(evaluation) ?? lastReward;
    if (!Number.isFinite(reward)) {
      throw new EpisodeError('env', new EnvironmentError(`The environment gave reward ${String(reward)}; rewards must be finite numbers.`));
    }
    return {
      ...base,
      reward,
      status: reward >= episode.pass ? 'passed' : 'failed',
      steps,
      durationMs: performance.now() - started,
      trajectory,
      ...(typeof evaluation === 'object' ? { evaluation } : {}),
    };
  } catch (error) {
    if (error instanceof EpisodeInterrupted || (signal.aborted && signal.reason instanceof EpisodeInterrupted)) throw new EpisodeInterrupted();
    const failure = error instanceof EpisodeError ? error : new EpisodeError('agent', error);
    const cause = failure.cause;
    return {
      ...base,
      reward: 0,
      status: 'errored',
      steps,
      durationMs: performance.now() - started,
      trajectory,
      error: { kind: failure.kind, message: failure.message, ...(isSandboxEvalError(cause) ? { code: cause.code } : {}) },
    };
  } finally {
    clearTimeout(timer);
    runSignal.removeEventListener('abort', onRunAbort);
    if (created || signal.aborted) {
      // release even after a timed-out create (the instance may exist); a failed release changes
      // nothing about the result, and the sandbox's idle timeout frees the instance anyway
      await sandbox.releaseInstance({ instanceId: episode.instanceId }).catch(() => false);
    }
  }
}

/** Runs `fn`, racing it against the episode's signal, and tags its failure with whose fault it was. */
async function call<T>(phase: 'agent' | 'sandbox', signal: AbortSignal, fn: () => T | Promise<T>): Promise<T> {
  if (signal.aborted) throw abortError(signal);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([Promise.resolve().then(fn), aborted]);
  } catch (error) {
    if (error instanceof EpisodeError || error instanceof EpisodeInterrupted) throw error;
    if (phase === 'agent') throw new EpisodeError('agent', error);
    const infrastructure = isSandboxEvalError(error) && INFRASTRUCTURE_CODES.has(error.code);
    throw new EpisodeError(infrastructure ? 'infra' : 'env', error);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof EpisodeInterrupted) return reason;
  return new EpisodeError('timeout', reason);
}

/** A step result the runner can use, or an env error saying what was wrong with it. */
function checkedStep(result: StepResult): StepResult {
  if (!result || !Array.isArray(result.state) || typeof result.is_terminated !== 'boolean' || typeof result.reward !== 'number') {
    throw new EnvironmentError(`step answered ${JSON.stringify(result)?.slice(0, 120)}; expected { state: Message[], reward: number, is_terminated: boolean, info }.`);
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
