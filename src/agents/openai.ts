import { setTimeout as sleep } from 'node:timers/promises';
import { undici } from '../lazy-require.js';
import { ConfigError, describeValue, ModelRequestError } from '../errors.js';
import type { Message, ToolCall } from '../protocol/messages.js';
import type { Agent, AgentContext } from './types.js';

export interface OpenAIAgentOptions {
  /** The API root; `/chat/completions` is appended. @default process.env.OPENAI_BASE_URL, else `https://api.openai.com/v1` */
  baseURL?: string;
  /** Sent as a bearer token. @default process.env.OPENAI_API_KEY (unset: no Authorization header, as local servers want) */
  apiKey?: string;
  /** The model name the server serves, e.g. `gpt-4o-mini`, or `qwen2.5:7b` on Ollama. */
  model: string;
  /** Sampling temperature, from 0. @default the server's */
  temperature?: number;
  /** Most tokens per answer, sent as `max_tokens` (what most OpenAI-compatible servers read). @default the server's */
  maxTokens?: number;
  /** Extra HTTP headers for every request (they override ours). */
  headers?: Record<string, string>;
  /** A system message put first in every request, before the environment's own messages. */
  systemPrompt?: string;
  /** Sent as `tool_choice` when the environment offers tools. @default the server's (`auto`) */
  toolChoice?: 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };
  /** Time for one request, per attempt. @default 120000 */
  timeoutMs?: number;
  /** Retries of 429, 5xx and connection failures, with backoff honouring Retry-After. @default 3 */
  retries?: number;
}

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_RETRIES = 3;
/** Longest wait between attempts; a server asking for longer fails the request at once instead. */
const MAX_RETRY_WAIT_MS = 60_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 8_000;
/** What stands in for a tool result the environment did not give as a `tool` message. */
const NO_TOOL_RESULT = '(no separate result for this call; the next message is the environment\'s answer)';

/** A chat-completions message as sent. */
interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

/**
 * An agent backed by any OpenAI-compatible chat-completions server (OpenAI, vLLM, Ollama, llama.cpp,
 * LiteLLM, ...). Each step sends the whole conversation, with the environment's tools when it has any,
 * and answers with the assistant's message, tool calls included. The episode's AbortSignal cancels the
 * request; rate limits and server errors are retried with backoff; the rest fail with a
 * ModelRequestError that says what to fix.
 */
export function openaiAgent(options: OpenAIAgentOptions): Agent {
  const settings = resolveOptions(options);
  const url = `${settings.baseURL.replace(/\/+$/, '')}/chat/completions`;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (settings.apiKey) headers.authorization = `Bearer ${settings.apiKey}`;
  Object.assign(headers, settings.headers);

  return async (context: AgentContext): Promise<Message> => {
    const body: Record<string, unknown> = {
      model: settings.model,
      messages: toChatMessages(context.messages, settings.systemPrompt),
    };
    if (settings.temperature !== undefined) body.temperature = settings.temperature;
    if (settings.maxTokens !== undefined) body.max_tokens = settings.maxTokens;
    if (context.tools && context.tools.length > 0) {
      body.tools = context.tools;
      if (settings.toolChoice !== undefined) body.tool_choice = settings.toolChoice;
    }
    const answer = await post({ url, headers, body: JSON.stringify(body), settings, signal: context.signal });
    return toMessage(answer.text, { url, step: context.step });
  };
}

type Settings = Required<Pick<OpenAIAgentOptions, 'baseURL' | 'model' | 'timeoutMs' | 'retries'>> &
  Omit<OpenAIAgentOptions, 'baseURL' | 'model' | 'timeoutMs' | 'retries'>;

function resolveOptions(options: OpenAIAgentOptions): Settings {
  const bad = (name: string, expected: string, value: unknown, fix = ''): never => {
    throw new ConfigError(`openaiAgent: expected \`${name}\` to be ${expected}, got ${describeValue(value)}.${fix ? ` ${fix}` : ''}`);
  };
  if (typeof options !== 'object' || options === null) bad('options', 'an object like { model: "gpt-4o-mini" }', options);
  const { model, temperature, maxTokens, timeoutMs, retries } = options;
  if (typeof model !== 'string' || model.trim() === '') {
    bad('model', 'a non-empty string', model, 'Pass the name the server serves, e.g. openaiAgent({ model: "gpt-4o-mini" }).');
  }
  const baseURL = options.baseURL ?? (process.env.OPENAI_BASE_URL || DEFAULT_BASE_URL);
  let protocol: string | undefined;
  try {
    protocol = new URL(baseURL).protocol;
  } catch {
    // reported below with the value
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    bad('baseURL', 'an http(s) URL such as http://127.0.0.1:11434/v1', baseURL, options.baseURL === undefined ? 'It came from OPENAI_BASE_URL.' : '');
  }
  if (temperature !== undefined && !(typeof temperature === 'number' && temperature >= 0)) bad('temperature', 'a number ≥ 0', temperature);
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens >= 1)) bad('maxTokens', 'an integer ≥ 1', maxTokens);
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs >= 1)) bad('timeoutMs', 'an integer ≥ 1', timeoutMs);
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) bad('retries', 'an integer ≥ 0', retries);
  return {
    ...options,
    baseURL,
    apiKey: options.apiKey ?? (process.env.OPENAI_API_KEY || undefined),
    model,
    timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retries: retries ?? DEFAULT_RETRIES,
  };
}

/**
 * Our conversation as chat-completions messages. Tool results go back as `tool` messages tied to the
 * calls they answer (by `tool_call_id`, or to the next unanswered call when the environment gave no
 * id); observations are `user` messages. The API rejects a tool call left unanswered, so a call the
 * environment answered only in a user message gets a short stand-in result first.
 */
function toChatMessages(messages: readonly Message[], systemPrompt?: string): ChatMessage[] {
  const out: ChatMessage[] = systemPrompt ? [{ role: 'system', content: systemPrompt }] : [];
  let pending: string[] = [];
  const answerPending = () => {
    for (const id of pending) out.push({ role: 'tool', tool_call_id: id, content: NO_TOOL_RESULT });
    pending = [];
  };
  for (const message of messages) {
    const content = typeof message.content === 'string' ? message.content : '';
    if (message.role === 'assistant') {
      answerPending();
      const calls = message.tool_calls ?? [];
      out.push(calls.length > 0 ? { role: 'assistant', content: content === '' ? null : content, tool_calls: calls } : { role: 'assistant', content });
      pending = calls.map((call) => call.id);
    } else if (message.role === 'tool' && pending.length > 0) {
      const id = message.tool_call_id !== undefined && pending.includes(message.tool_call_id) ? message.tool_call_id : (pending[0] as string);
      pending = pending.filter((p) => p !== id);
      out.push({ role: 'tool', tool_call_id: id, content });
    } else {
      answerPending();
      // a tool message that answers no open call cannot be sent as one: it is an observation
      out.push({ role: message.role === 'system' ? 'system' : 'user', content });
    }
  }
  answerPending();
  return out;
}

/** The assistant message of a chat completion, or an error saying what came instead. */
function toMessage(text: string, where: { url: string; step: number }): Message {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: reported below with the text
  }
  const message = (parsed as { choices?: Array<{ message?: unknown }> } | undefined)?.choices?.[0]?.message;
  if (typeof message !== 'object' || message === null) {
    throw new ModelRequestError(
      `The model server at ${where.url} answered without a chat completion (expected choices[0].message): ${snippet(text)}. Check that baseURL points at an OpenAI-compatible API.`,
      200,
    );
  }
  const raw = message as { content?: unknown; tool_calls?: unknown };
  const calls = (Array.isArray(raw.tool_calls) ? raw.tool_calls : []).map((call: unknown, index): ToolCall => {
    const c = (call ?? {}) as { id?: unknown; function?: { name?: unknown; arguments?: unknown } };
    const args = c.function?.arguments;
    return {
      // some servers leave out the id; the conversation needs one to tie the result to the call
      id: typeof c.id === 'string' && c.id !== '' ? c.id : `call_${where.step}_${index}`,
      type: 'function',
      function: { name: String(c.function?.name ?? ''), arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) },
    };
  });
  return { role: 'assistant', content: textOf(raw.content), ...(calls.length > 0 ? { tool_calls: calls } : {}) };
}

/** Content as text: a string, or the text parts of a content array. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : '')).join('');
  }
  return '';
}

interface PostOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  settings: Settings;
  signal: AbortSignal;
}

/** POSTs with retries: 429 and 5xx answers and connection failures are retried, with backoff. */
async function post(o: PostOptions): Promise<{ text: string }> {
  const { url, settings, signal } = o;
  for (let attempt = 0; ; attempt += 1) {
    signal.throwIfAborted();
    const timeout = AbortSignal.timeout(settings.timeoutMs);
    let wait: number;
    try {
      const response = await undici().request(url, { method: 'POST', headers: o.headers, body: o.body, signal: AbortSignal.any([signal, timeout]) });
      const text = await response.body.text();
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { text };
      const failure = httpFailure(status, text, settings, url);
      if (!failure.retryable || attempt >= settings.retries) {
        throw new ModelRequestError(`${failure.message}${failure.retryable ? ` (after ${attempt} ${attempt === 1 ? 'retry' : 'retries'})` : ''}${failure.fix}`, status);
      }
      wait = retryAfter(response.headers) ?? backoff(attempt);
      if (wait > MAX_RETRY_WAIT_MS) {
        throw new ModelRequestError(
          `${failure.message}; the server asked to retry after ${Math.ceil(wait / 1000)} s, longer than the ${MAX_RETRY_WAIT_MS / 1000} s this agent waits${failure.fix}`,
          status,
        );
      }
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof ModelRequestError) throw error;
      if (timeout.aborted) {
        throw new ModelRequestError(`The model server at ${url} did not answer within ${settings.timeoutMs} ms. Raise \`timeoutMs\` for slow models, or check the server.`, undefined, { cause: error });
      }
      if (attempt >= settings.retries) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new ModelRequestError(
          `Cannot reach the model server at ${url}: ${reason} (after ${attempt} ${attempt === 1 ? 'retry' : 'retries'}). Check baseURL (or OPENAI_BASE_URL) and that the server is running.`,
          undefined,
          { cause: error },
        );
      }
      wait = backoff(attempt);
    }
    try {
      await sleep(wait, undefined, { signal });
    } catch {
      // the episode was aborted while waiting: its reason wins over the sleep's AbortError
      throw signal.reason;
    }
  }
}

/** What an error answer means for the user, and whether another attempt may help. */
function httpFailure(status: number, text: string, settings: Settings, url: string): { message: string; fix: string; retryable: boolean } {
  const detail = errorDetail(text);
  const said = detail.message ? `: ${detail.message}` : '';
  if (status === 401) {
    return {
      message: `The model server at ${url} refused the API key (401)${said}`,
      fix: '. Set OPENAI_API_KEY (or pass apiKey to openaiAgent) to a valid key for this server.',
      retryable: false,
    };
  }
  if (status === 403) {
    return { message: `The model server at ${url} denied access (403)${said}`, fix: `. Check that the key may use model "${settings.model}".`, retryable: false };
  }
  if (status === 404) {
    return {
      message: `Model "${settings.model}" was not found at ${url} (404)${said}`,
      fix: '. Check the model name, and that baseURL points at an OpenAI-compatible API (it usually ends in /v1).',
      retryable: false,
    };
  }
  if (status === 429 && detail.code === 'insufficient_quota') {
    return { message: `The model server at ${url} says the quota is used up (429)${said}`, fix: '. Check the account\'s plan and billing.', retryable: false };
  }
  if (status === 429) {
    return { message: `The model server at ${url} rate-limited the request (429)${said}`, fix: '. Lower --concurrency, or raise `retries`.', retryable: true };
  }
  if (status >= 500) {
    return { message: `The model server at ${url} failed with ${status}${said}`, fix: '. Check the server, or raise `retries`.', retryable: true };
  }
  return { message: `The model server at ${url} rejected the request (${status})${said}`, fix: '.', retryable: false };
}

/** The `{ error: { message, code } }` of an OpenAI-style error body, or a snippet of whatever came. */
function errorDetail(text: string): { message: string; code?: string } {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = body.error;
    if (typeof error === 'object' && error !== null) {
      const e = error as { message?: unknown; code?: unknown; type?: unknown };
      const code = typeof e.code === 'string' ? e.code : typeof e.type === 'string' ? e.type : undefined;
      return { message: typeof e.message === 'string' ? e.message : snippet(JSON.stringify(error)), ...(code ? { code } : {}) };
    }
    for (const value of [error, body.message, body.detail]) if (typeof value === 'string') return { message: value };
  } catch {
    // not JSON: the text itself is the best detail there is
  }
  return { message: snippet(text) };
}

function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** The wait a 429 or 503 asks for: `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
function retryAfter(headers: Record<string, string | string[] | undefined>): number | undefined {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const ms = Number(first(headers['retry-after-ms']));
  if (first(headers['retry-after-ms']) !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const value = first(headers['retry-after']);
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Exponential backoff with jitter: about 0.5 s, 1 s, 2 s, ... up to 8 s. */
function backoff(attempt: number): number {
  const base = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}
