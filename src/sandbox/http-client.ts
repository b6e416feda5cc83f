import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher, Pool } from 'undici';
import { undici } from '../lazy-require.js';
import { z } from 'zod';
import {
  CapacityError,
  ConfigError,
  DuplicateInstanceError,
  EnvironmentError,
  InstanceNotFoundError,
  InvalidRequestError,
  PayloadTooLargeError,
  RemoteSandboxError,
  RequestValidationError,
  SandboxClosedError,
  SandboxUnavailableError,
  TimeoutError,
  UnauthorizedError,
  UnknownDatasetError,
  UnknownSplitError,
  UnknownTaskError,
  describeValue,
  type SandboxEvalError,
} from '../errors.js';
import type { EvaluationResult, InitialState, Message, StepResult } from '../protocol/messages.js';
import {
  ENDPOINTS,
  errorReplySchema,
  evaluationResultSchema,
  formatZodError,
  initialStateSchema,
  releaseReplySchema,
  stepResultSchema,
  successReplySchema,
  taskIdsSchema,
  type RequestEnvelope,
} from '../protocol/schemas.js';
import type { Sandbox } from './types.js';

/**
 * The Sandbox API over HTTP: speaks the container protocol exactly as AgentScope's Python client does
 * (all five envelope keys on every POST), so it drives our server and AgentScope's training images
 * alike. Keep-alive connections come from one undici Pool per sandbox.
 */

export interface HttpSandboxOptions {
  /** Base URL of the server, e.g. "http://127.0.0.1:8080" (a path prefix is kept). */
  url: string;
  /** Sent as `Authorization: Bearer <token>`; AgentScope's containers ignore it. */
  token?: string;
  /** Longest wait for an answer's headers, and then for its body. @default 120_000 */
  timeoutMs?: number;
  /** Most keep-alive connections to the server. @default 64 */
  connections?: number;
  /** Extra attempts after a failure that is safe to retry (see `#send`). @default 2 */
  retries?: number;
}

/** Built once: zod compiles a schema on first use, so a schema per call would cost that every time. */
const REPLIES = {
  taskIds: successReplySchema(taskIdsSchema),
  initial: successReplySchema(initialStateSchema),
  step: successReplySchema(stepResultSchema),
  evaluation: successReplySchema(evaluationResultSchema),
  info: successReplySchema(z.unknown()),
};

/** When a failed call may be sent again. */
type RetryPolicy =
  /** no side effects (get_env_profile, evaluate, get_info): after any transport failure or a proxy's 502/503/504 */
  | 'idempotent'
  /** side effects (create, step, release): only when the request provably never left this process */
  | 'unsent';

/** Transport failures that happen before a connection exists, so the server saw nothing. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const PROXY_STATUSES = new Set([502, 503, 504]);

class TransportFailure {
  constructor(
    readonly error: SandboxEvalError,
    readonly notSent: boolean,
  ) {}
}

/** Keeps the server's wording on an error class whose constructor builds its own message. */
function withMessage<E extends Error>(error: E, message: string): E {
  error.message = message;
  Error.captureStackTrace(error, withMessage);
  return error;
}

/** Our server's error codes, turned back into the classes it threw. */
const REMOTE_ERRORS: Record<string, (detail: string) => SandboxEvalError> = {
  SE_INSTANCE_NOT_FOUND: (detail) => withMessage(new InstanceNotFoundError(''), detail),
  SE_DUPLICATE_INSTANCE: (detail) => withMessage(new DuplicateInstanceError(''), detail),
  SE_CAPACITY: (detail) => withMessage(new CapacityError(0), detail),
  SE_UNKNOWN_DATASET: (detail) => withMessage(new UnknownDatasetError('', []), detail),
  SE_UNKNOWN_SPLIT: (detail) => withMessage(new UnknownSplitError('', '', []), detail),
  SE_UNKNOWN_TASK: (detail) => withMessage(new UnknownTaskError('', ''), detail),
  SE_PAYLOAD_TOO_LARGE: (detail) => withMessage(new PayloadTooLargeError(0), detail),
  SE_INVALID_REQUEST: (detail) => new InvalidRequestError(detail),
  SE_REQUEST_VALIDATION: (detail) => new RequestValidationError(detail),
  SE_UNAUTHORIZED: (detail) => new UnauthorizedError(detail),
  SE_ENV_ERROR: (detail) => new EnvironmentError(detail),
  SE_TIMEOUT: (detail) => new TimeoutError(detail),
  SE_SANDBOX_CLOSED: (detail) => new SandboxUnavailableError(`The sandbox server is shutting down: ${detail}`),
};

/** FastAPI's 422 detail is a list of `{loc, msg}`; anything else is shown as JSON. */
function detailText(detail: string | unknown[]): string {
  if (typeof detail === 'string') return detail;
  return detail
    .map((item) => {
      const { loc, msg } = (item ?? {}) as { loc?: unknown; msg?: unknown };
      return Array.isArray(loc) && typeof msg === 'string' ? `${loc.join('.')}: ${msg}` : JSON.stringify(item);
    })
    .join('; ');
}

function integerOption(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`Expected \`${name}\` to be an integer from ${min} and up, got ${describeValue(value)}.`);
  }
  return value;
}

function parseBaseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ConfigError(`Expected \`url\` to be an http(s) URL such as "http://127.0.0.1:8080", got ${describeValue(url)}.`, { cause: error });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`Expected \`url\` to use http or https, got ${describeValue(url)}.`);
  }
  return parsed;
}

export class HttpSandbox implements Sandbox {
  readonly url: string;
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #retries: number;
  #closing: Promise<void> | undefined;

  constructor(options: HttpSandboxOptions) {
    const base = parseBaseUrl(options.url);
    this.url = options.url.replace(/\/+$/, '');
    this.#basePath = base.pathname.replace(/\/+$/, '');
    this.#timeoutMs = integerOption('timeoutMs', options.timeoutMs ?? 120_000, 1);
    this.#retries = integerOption('retries', options.retries ?? 2, 0);
    this.#headers = { 'content-type': 'application/json' };
    if (options.token) this.#headers.authorization = `Bearer ${options.token}`;
    this.#pool = new (undici().Pool)(base.origin, {
      connections: integerOption('connections', options.connections ?? 64, 1),
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs,
    });
  }

  async getEnvProfile(options: { envType: string; split?: string }): Promise<string[]> {
    const envelope = this.#envelope({ env_type: options.envType, params: { split: options.split ?? 'train' } });
    return this.#call(ENDPOINTS.getEnvProfile, envelope, REPLIES.taskIds, 'idempotent');
  }

  getTaskIds(options: { envType: string; split?: string }): Promise<string[]> {
    // AgentScope's client sends get_task_ids to /get_env_profile too
    return this.getEnvProfile(options);
  }

  createInstance(options: { envType: string; taskId: string; instanceId?: string; params?: Record<string, unknown> }): Promise<InitialState> {
    const envelope = this.#envelope({
      env_type: options.envType,
      task_id: options.taskId,
      instance_id: options.instanceId ?? null,
      params: options.params ?? {},
    });
    return this.#call(ENDPOINTS.create, envelope, REPLIES.initial, 'unsent');
  }

  step(options: { instanceId: string; action: Message; params?: Record<string, unknown> }): Promise<StepResult> {
    const envelope = this.#envelope({
      instance_id: options.instanceId,
      messages: options.action as unknown as Record<string, unknown>,
      params: options.params ?? {},
    });
    return this.#call(ENDPOINTS.step, envelope, REPLIES.step, 'unsent');
  }

  evaluate(options: { instanceId: string; messages?: Record<string, unknown>; params?: Record<string, unknown> }): Promise<EvaluationResult> {
    const envelope = this.#envelope({ instance_id: options.instanceId, messages: options.messages ?? {}, params: options.params ?? {} });
    return this.#call(ENDPOINTS.evaluate, envelope, REPLIES.evaluation, 'idempotent');
  }

  getInfo(options: { instanceId: string; messages?: Record<string, unknown>; params?: Record<string, unknown> }): Promise<unknown> {
    const envelope = this.#envelope({ instance_id: options.instanceId, messages: options.messages ?? {}, params: options.params ?? {} });
    return this.#call(ENDPOINTS.getInfo, envelope, REPLIES.info, 'idempotent');
  }

  async releaseInstance(options: { instanceId: string }): Promise<boolean> {
    const reply = await this.#send(ENDPOINTS.release, this.#envelope({ instance_id: options.instanceId }), 'unsent');
    return this.#validate(ENDPOINTS.release, releaseReplySchema, reply).success;
  }

  /** Waits for in-flight calls, then closes the connections. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#pool.close();
    return this.#closing;
  }

  /** All five keys, always: `"default"` and nulls where the call gives them no meaning (as Python does). */
  #envelope(fields: Partial<RequestEnvelope>): RequestEnvelope {
    return { env_type: 'default', task_id: null, instance_id: null, messages: {}, params: {}, ...fields };
  }

  async #call<T>(path: string, envelope: RequestEnvelope, reply: z.ZodType<{ data: T }>, policy: RetryPolicy): Promise<T> {
    return this.#validate(path, reply, await this.#send(path, envelope, policy)).data;
  }

  #validate<S extends z.ZodType>(path: string, schema: S, reply: unknown): z.output<S> {
    const parsed = schema.safeParse(reply, { reportInput: true });
    if (!parsed.success) {
      throw new SandboxUnavailableError(
        `The sandbox at ${this.url} answered ${path} outside the wire protocol: ${formatZodError(parsed.error)}. Is it a training-sandbox server?`,
      );
    }
    return parsed.data;
  }

  /** POSTs the envelope and answers the parsed 2xx body; retries what `policy` allows, with backoff. */
  async #send(path: string, envelope: RequestEnvelope, policy: RetryPolicy): Promise<unknown> {
    const body = JSON.stringify(envelope);
    for (let attempt = 0; ; attempt += 1) {
      if (this.#closing) throw new SandboxClosedError(`HTTP sandbox for ${this.url}`);
      let retryable: boolean;
      let failure: SandboxEvalError;
      try {
        const { status, text } = await this.#request(path, body);
        if (status >= 200 && status < 300) return this.#parseJson(path, text);
        failure = this.#remoteError(path, status, text);
        // a proxy's 502/503/504 has no code of ours; our server's own 503s (shutting down) are final
        retryable = policy === 'idempotent' && PROXY_STATUSES.has(status) && failure instanceof RemoteSandboxError && !failure.remoteCode;
      } catch (error) {
        if (!(error instanceof TransportFailure)) throw error;
        failure = error.error;
        retryable = !(failure instanceof TimeoutError) && (policy === 'idempotent' || error.notSent);
      }
      if (!retryable || attempt >= this.#retries) throw failure;
      // exponential backoff with jitter, so many clients do not retry in step
      await sleep(200 * 2 ** attempt * (0.5 + Math.random() / 2));
    }
  }

  async #request(path: string, body: string): Promise<{ status: number; text: string }> {
    try {
      const response = await this.#pool.request({ path: this.#basePath + path, method: 'POST', headers: this.#headers, body });
      return { status: response.statusCode, text: await response.body.text() };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const reason = `${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message}`;
      if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
        throw new TransportFailure(
          new TimeoutError(`The sandbox at ${this.url} did not answer ${path} within ${this.#timeoutMs} ms. Raise \`timeoutMs\` if the environment is slow.`, { cause: error }),
          false,
        );
      }
      const notSent = typeof code === 'string' && NOT_SENT_CODES.has(code);
      throw new TransportFailure(
        new SandboxUnavailableError(`Cannot reach the sandbox at ${this.url} (${path}): ${reason}. Check that the server is running and the URL is right.`, { cause: error }),
        notSent,
      );
    }
  }

  #parseJson(path: string, text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new SandboxUnavailableError(
        `The sandbox at ${this.url} answered ${path} with a body that is not JSON: ${describeValue(text)}. Is it a training-sandbox server?`,
        { cause: error },
      );
    }
  }

  /** `{detail, code}` back into our named error where the code is known; else RemoteSandboxError. */
  #remoteError(path: string, status: number, text: string): SandboxEvalError {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON (a proxy's HTML page, say): the raw text is the best detail there is
      json = undefined;
    }
    const parsed = errorReplySchema.safeParse(json);
    const detail = parsed.success ? detailText(parsed.data.detail) : text.slice(0, 500);
    const code = parsed.success ? parsed.data.code : undefined;
    const rebuild = code ? REMOTE_ERRORS[code] : undefined;
    if (rebuild) return rebuild(detail);
    return new RemoteSandboxError(`The sandbox at ${this.url} answered HTTP ${status} on ${path}: ${detail}`, status, code);
  }
}

/** Where a server's /healthz is, for a base URL (a path prefix is kept). */
function healthzOf(url: string): { origin: string; path: string } {
  const base = parseBaseUrl(url);
  return { origin: base.origin, path: `${base.pathname.replace(/\/+$/, '')}${ENDPOINTS.healthz}` };
}

/** One `GET /healthz` through `agent`: undefined when it answered 200, else why not. */
async function probeHealthz(agent: Dispatcher, target: { origin: string; path: string }, timeoutMs: number, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const response = await agent.request({ ...target, method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs, ...(signal ? { signal } : {}) });
    const text = await response.body.text();
    return response.statusCode === 200 ? undefined : `HTTP ${response.statusCode}: ${text.slice(0, 200)}`;
  } catch (error) {
    // down (refused, reset, timed out) is an answer here, not a failure: say why
    const code = (error as { code?: unknown }).code;
    return `${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message}`;
  }
}

/**
 * One `GET <url>/healthz`, for probing a server that went down: healthy when it answered 200 within
 * `timeoutMs`, else the reason (refused, timed out, HTTP 503...). Never rejects; `signal` aborts it.
 */
export async function checkHealth(options: { url: string; timeoutMs: number; signal?: AbortSignal }): Promise<{ healthy: true } | { healthy: false; reason: string }> {
  const target = healthzOf(options.url);
  // a private agent, closed at the end, so a probe leaves no connection behind
  const agent = new (undici().Agent)({ connections: 1 });
  try {
    const reason = await probeHealthz(agent, target, options.timeoutMs, options.signal);
    return reason === undefined ? { healthy: true } : { healthy: false, reason };
  } finally {
    await agent.close();
  }
}

/**
 * Polls `GET <url>/healthz` until it answers 200 (undefined), or until `deadlineMs` passes or `signal`
 * aborts: then the last reason it was not healthy. Each probe waits at most 5 s for its answer.
 */
export async function pollHealth(options: { url: string; deadlineMs: number; intervalMs?: number; signal?: AbortSignal }): Promise<string | undefined> {
  const target = healthzOf(options.url);
  const interval = options.intervalMs ?? 250;
  const deadline = Date.now() + options.deadlineMs;
  // a private agent, closed at the end, so polling leaves no connection behind
  const agent = new (undici().Agent)({ connections: 1 });
  let last = 'no answer yet';
  try {
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0 || options.signal?.aborted) return last;
      const reason = await probeHealthz(agent, target, Math.min(remaining, 5_000), options.signal);
      if (reason === undefined) return undefined;
      last = reason;
      await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
    }
  } finally {
    await agent.close();
  }
}

/**
 * Polls `GET <url>/healthz` until it answers 200, or fails with SandboxUnavailableError naming the URL
 * when `deadlineMs` passes. AgentScope's Python client allows 100 s for its containers.
 */
export async function waitForHealthy(options: { url: string; deadlineMs: number; intervalMs?: number }): Promise<void> {
  const last = await pollHealth(options);
  if (last === undefined) return;
  const target = healthzOf(options.url);
  throw new SandboxUnavailableError(
    `The sandbox at ${options.url} did not become healthy within ${options.deadlineMs} ms (GET ${target.origin}${target.path}; last: ${last}). Check that it is running and reachable.`,
  );
}
