import { connect } from 'node:net';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { Pool } from 'undici';
import type { EnvInstance, EnvironmentDefinition } from '../../src/envs/types.js';
import type { Message, StepResult } from '../../src/protocol/messages.js';

/**
 * Generated requests against a running training-sandbox server, and the checks on every answer.
 * Shared by test/hardening/server-fuzz.test.ts (a few thousand requests, in-process server) and
 * bench/server-fuzz.bench.mjs (100,000 requests, server in a child process). Talks HTTP only, so it
 * works against any server; it imports nothing from src but types.
 */

/** Instance ids the requests share, so creates, steps, evaluations and releases meet on live instances. */
export const ID_POOL = ['fz-0', 'fz-1', 'fz-2', 'fz-3', 'fz-4', 'fz-5'] as const;

const ENDPOINT_PATHS = ['/get_env_profile', '/create', '/step', '/evaluate', '/get_info', '/release'] as const;

/**
 * `slow`: an env whose step, evaluate and close wait a few milliseconds, so a release or a second call
 * really arrives while a call on the same instance is running. Plain object: no import from src.
 */
export const slowEnvironment: EnvironmentDefinition = {
  name: 'slow',
  description: 'fuzz target: calls that take a few milliseconds',
  load: () => ({
    name: 'slow',
    splits: () => ['all'],
    taskIds: () => ['s0', 's1', 's2'],
    createInstance: ({ taskId, instanceId }): EnvInstance => {
      let steps = 0;
      const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1 + (steps % 3)));
      return {
        initial: { state: [{ role: 'user', content: `slow ${taskId}` }], info: { instance_id: instanceId, task_id: taskId } },
        async step(action: Message): Promise<StepResult> {
          await pause();
          steps += 1;
          return { state: [{ role: 'user', content: `step ${steps}: ${String(action.content).length} chars` }], reward: 0, is_terminated: steps >= 5, info: {} };
        },
        async evaluate() {
          await pause();
          return steps;
        },
        async close() {
          await pause();
        },
      };
    },
  }),
};

// ---- what is generated ----

export type FuzzRequest =
  | { kind: 'http'; label: string; method: string; path: string; headers: Record<string, string>; body?: string | Buffer; chunked?: boolean; mayPass: boolean }
  | { kind: 'raw'; label: string; bytes: Buffer }
  | { kind: 'burst'; label: string; envType: string; taskId: string; id: string; steps: number; releaseAt: number; releases: number };

const suspicious = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  ' ',
  '../../etc/passwd',
  '%00',
  'process.exit(1)',
  "require('child_process').execSync('touch /tmp/sandbox-eval-pwned')",
  '${process.exit(1)}',
  '\u0000',
  '\ud800',
);

const shortString = fc.string({ maxLength: 40 });
const idArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...ID_POOL) },
  { weight: 2, arbitrary: shortString },
  { weight: 2, arbitrary: suspicious },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const envTypeArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('guess', 'slow') },
  { weight: 1, arbitrary: fc.constantFrom('webshop', 'bfcl', 'appworld', 'default') },
  { weight: 1, arbitrary: shortString },
  { weight: 1, arbitrary: suspicious },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const taskIdArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 99 }).map((k) => `guess_${k}`) },
  { weight: 3, arbitrary: fc.constantFrom('s0', 's1', 's2', 'webshop_0', 'webshop_1') },
  { weight: 1, arbitrary: shortString },
  { weight: 1, arbitrary: suspicious },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const argumentsArb = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 60 }),
  suspicious,
  fc.constantFrom('{"number": 42}', '{"number": "7"}', '{"__proto__": {"polluted": true}}', '{"constructor": {"prototype": {"polluted": true}}}', '{"keywords": "shoes"}', '{"target": "buy now"}'),
);
const toolCallArb = fc.record(
  {
    id: fc.oneof(shortString, suspicious),
    type: fc.oneof(fc.constant('function'), shortString),
    function: fc.oneof(
      fc.record({ name: fc.oneof(fc.constantFrom('guess', 'search', 'click'), shortString, suspicious), arguments: argumentsArb }, { requiredKeys: [] }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  },
  { requiredKeys: [] },
);
const contentArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 2, arbitrary: suspicious },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '42',
      'I guess -7',
      'search[shoes]',
      'click[buy now]',
      'Action: click[< prev]',
      '<tool_call>{"name": "ls", "arguments": {}}</tool_call>',
      '[cd(folder="x"), __import__("os").system("id")]',
      '99999999999999999999999999',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const messageArb = fc.record(
  {
    role: fc.oneof(fc.constantFrom('assistant', 'user', 'system', 'tool'), shortString),
    content: contentArb,
    tool_calls: fc.oneof(fc.array(toolCallArb, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })),
    tool_call_id: fc.oneof(shortString, fc.jsonValue({ maxDepth: 1 })),
  },
  { requiredKeys: [] },
);
const paramsArb = fc.oneof(
  fc.constant({}),
  fc.constantFrom({ split: 'val' }, { split: 'train' }, { split: '__proto__' }, { split: 7 }, { sparse: true }),
  fc.dictionary(fc.oneof(shortString, suspicious), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const envelopeArb = fc.record(
  {
    env_type: envTypeArb,
    task_id: taskIdArb,
    instance_id: idArb,
    messages: fc.oneof({ weight: 4, arbitrary: messageArb }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) }),
    params: paramsArb,
  },
  { requiredKeys: [] },
);

/** A JSON text with `__proto__` / `constructor` keys where a careless merge would pollute prototypes. */
function withPrototypeKeys(envelope: Record<string, unknown>): string {
  const poison = '"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}';
  const text = JSON.stringify(envelope);
  const messages = JSON.stringify(envelope.messages ?? {});
  const inner = messages.startsWith('{') && messages.length > 2 ? `{${poison}, ${messages.slice(1)}` : `{${poison}}`;
  const rest = text.length > 2 ? `, ${text.slice(1)}` : '}';
  return `{${poison}, "params": {${poison}}, "messages": ${inner}${rest}`;
}

/** Bodies: valid envelopes, envelopes of wrong types, broken JSON, non-objects, deep nesting, garbage. */
function bodyArb(limit: number): fc.Arbitrary<{ label: string; body: string | Buffer; chunked?: boolean; mayPass: boolean }> {
  return fc.oneof(
    { weight: 10, arbitrary: envelopeArb.map((envelope) => ({ label: 'envelope', body: JSON.stringify(envelope), mayPass: true })) },
    { weight: 2, arbitrary: envelopeArb.map((envelope) => ({ label: 'prototype-keys', body: withPrototypeKeys(envelope), mayPass: true })) },
    {
      weight: 2,
      arbitrary: fc.tuple(envelopeArb, fc.nat()).map(([envelope, cut]) => {
        const text = JSON.stringify(envelope);
        return { label: 'truncated-json', body: text.slice(0, cut % Math.max(1, text.length - 1)), mayPass: false };
      }),
    },
    { weight: 2, arbitrary: fc.string({ maxLength: 300 }).map((body) => ({ label: 'garbage-text', body, mayPass: false })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ label: 'garbage-bytes', body: Buffer.from(bytes), mayPass: false })) },
    {
      weight: 1,
      arbitrary: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(null, [], 0, 'x', true)).filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)).map((value) => ({ label: 'non-object', body: JSON.stringify(value), mayPass: false })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 1_000, max: 20_000 }), fc.constantFrom('messages', 'params', 'env_type')).map(([depth, key]) => ({
        label: 'deep-nesting',
        body: `{"${key}": ${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}, "instance_id": "fz-0"}`,
        mayPass: true,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: limit + 1, max: limit * 3 }), fc.boolean()).map(([size, chunked]) => ({
        label: chunked ? 'huge-chunked' : 'huge',
        body: `{"env_type": "guess", "messages": {"role": "assistant", "content": "${'9'.repeat(size)}"}}`,
        chunked,
        mayPass: false,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...ID_POOL), fc.integer({ min: 1_000, max: Math.floor(limit * 0.9) })).map(([id, size]) => ({
        label: 'big-valid',
        body: JSON.stringify({ env_type: 'guess', task_id: null, instance_id: id, messages: { role: 'assistant', content: `${'x'.repeat(size - 40)} 5` }, params: {} }),
        mayPass: true,
      })),
    },
  );
}

const pathChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_-./%~!$&()*+,;=:@'.split(''));
const pathArb = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...ENDPOINT_PATHS) },
  { weight: 1, arbitrary: fc.constantFrom('/healthz', '/metrics', '/', '//create', '/create/', '/CREATE', '/step?x=1', '/%2e%2e/etc/passwd', '/__proto__', '/constructor') },
  { weight: 1, arbitrary: fc.string({ unit: pathChars, maxLength: 60 }).map((tail) => `/${tail}`) },
);
const methodArb = fc.oneof({ weight: 12, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'BREW') });
const contentTypeArb = fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1');

const rawArb: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => ({ kind: 'raw' as const, label: 'raw-bytes', bytes: Buffer.concat([Buffer.from(bytes), Buffer.from('\r\n\r\n')]) })),
  fc.constantFrom(
    'POST /create HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}',
    'POST /create HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}',
    'POST /create HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
    'POST /step HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    'POST /step HTTP/1.1\r\nHo st: x\r\n\r\n',
    'GET /healthz HTTP/9.9\r\n\r\n',
    'POST /create HTTP/1.1\r\nHost: x\r\nX: \u0000\r\n\r\n',
    `POST /create HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  ).map((text) => ({ kind: 'raw' as const, label: 'raw-malformed-http', bytes: Buffer.from(text, 'latin1') })),
);

const burstArb: fc.Arbitrary<FuzzRequest> = fc
  .record({
    envType: fc.constantFrom('guess', 'slow'),
    steps: fc.integer({ min: 2, max: 12 }),
    releaseAt: fc.nat(),
    releases: fc.integer({ min: 1, max: 3 }),
    task: fc.nat({ max: 2 }),
  })
  .map(({ envType, steps, releaseAt, releases, task }) => ({
    kind: 'burst' as const,
    label: 'burst',
    envType,
    taskId: envType === 'slow' ? `s${task}` : `guess_${task}`,
    id: '',
    steps,
    releaseAt: releaseAt % (steps + 1),
    releases,
  }));

/** Every kind of request the fuzzer sends; `bodyLimit` is the server's, so "huge" means over it. */
export function requestArbitrary(options: { bodyLimit: number }): fc.Arbitrary<FuzzRequest> {
  const http: fc.Arbitrary<FuzzRequest> = fc
    .record({
      method: methodArb,
      path: pathArb,
      contentType: fc.option(contentTypeArb, { nil: undefined, freq: 8 }),
      authorization: fc.option(fc.constantFrom('Bearer x', 'Basic Zm9vOmJhcg==', 'Bearer '), { nil: undefined, freq: 10 }),
      body: bodyArb(options.bodyLimit),
    })
    .map(({ method, path, contentType, authorization, body }) => {
      const headers: Record<string, string> = {};
      if (contentType) headers['content-type'] = contentType;
      if (authorization) headers.authorization = authorization;
      const hasBody = method !== 'GET' && method !== 'HEAD';
      return {
        kind: 'http' as const,
        label: `${method} ${body.label}`,
        method,
        path,
        headers,
        ...(hasBody ? { body: body.body, ...(body.chunked ? { chunked: true } : {}) } : {}),
        mayPass: body.mayPass || !hasBody,
      };
    });
  return fc.oneof({ weight: 40, arbitrary: http }, { weight: 1, arbitrary: rawArb }, { weight: 2, arbitrary: burstArb });
}

// ---- sending and checking ----

export interface FuzzOptions {
  /** The server's base URL, e.g. http://127.0.0.1:1234. */
  url: string;
  requests: number;
  seed: number;
  /** Requests in flight at once. @default 8 */
  concurrency?: number;
  /** The server's body limit. */
  bodyLimit: number;
  /** Strings no answer may contain (the server's paths, say). */
  forbidden?: readonly string[];
}

export interface Violation {
  label: string;
  problem: string;
  request: string;
  answer: string;
}

export interface FuzzReport {
  requests: number;
  /** HTTP exchanges, bursts counted per call. */
  calls: number;
  byStatus: Record<string, number>;
  byCode: Record<string, number>;
  byLabel: Record<string, number>;
  violations: Violation[];
  /** Violations beyond the first 20, which are not kept. */
  moreViolations: number;
  ms: number;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

const STACK = /\n\s+at \S|node:internal|\bat Object\.<anonymous>|Traceback \(most recent/;
const MAX_DETAIL = 2_048;

function preview(value: string | Buffer | undefined, max = 300): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : value.toString('latin1');
  return text.length > max ? `${text.slice(0, max)}... (${text.length} chars)` : text;
}

/** What is wrong with an answer, or undefined. */
function judge(answer: Answer, mayPass: boolean, forbidden: readonly string[], head = false): string | undefined {
  for (const word of forbidden) if (word && answer.text.includes(word)) return `the answer contains "${word}"`;
  if (STACK.test(answer.text)) return 'the answer contains a stack trace';
  if (answer.status >= 200 && answer.status < 300) {
    if (!mayPass) return `status ${answer.status} for a request that cannot be valid`;
    if (answer.text === 'OK' || head) return undefined;
    try {
      const body = JSON.parse(answer.text) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null) return 'a 2xx answer that is not a JSON object';
    } catch {
      return 'a 2xx answer that is not JSON';
    }
    return undefined;
  }
  if (answer.status < 400 || answer.status > 599) return `status ${answer.status}`;
  if (!answer.contentType.startsWith('application/json')) return `an error answer of type "${answer.contentType}"`;
  // an answer to HEAD has headers only
  if (head) return answer.text === '' ? undefined : 'a HEAD answer with a body';
  let body: { detail?: unknown; code?: unknown };
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    return 'an error answer that is not JSON';
  }
  if (typeof body.detail !== 'string' || typeof body.code !== 'string' || !body.code.startsWith('SE_')) return 'an error answer without {detail, code}';
  if (body.code === 'SE_INTERNAL') return 'an internal error (a bug)';
  if (body.code === 'SE_ENV_ERROR') return 'a built-in environment threw on its input';
  if (body.detail.length > MAX_DETAIL) return `an error detail of ${body.detail.length} chars (echoes the input?)`;
  return undefined;
}

/** The answer, a string saying why there is none, or null when the bytes held no request to answer. */
function sendRaw(url: URL, bytes: Buffer): Promise<Answer | string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.on('connect', () => socket.end(bytes));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const head = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
      // bytes that are only blank lines are no request at all (HTTP ignores blank lines before one)
      if (!head && text.length === 0 && bytes.toString('latin1').trim() === '') return resolve(null);
      if (!head) return resolve(text.length ? `unparsable answer: ${preview(text)}` : 'closed without an answer');
      const contentType = /^content-type:\s*(.*)$/im.exec(head[2]!)?.[1]?.trim() ?? '';
      resolve({ status: Number(head[1]), contentType, text: head[3]! });
    });
  });
}

/** Sends `requests` generated requests (deterministic for a seed) and checks every answer. */
export async function fuzzServer(options: FuzzOptions): Promise<FuzzReport> {
  const url = new URL(options.url);
  const concurrency = options.concurrency ?? 8;
  const forbidden = options.forbidden ?? [];
  const pool = new Pool(url.origin, { connections: concurrency, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const report: FuzzReport = { requests: 0, calls: 0, byStatus: {}, byCode: {}, byLabel: {}, violations: [], moreViolations: 0, ms: 0 };
  const arbitrary = requestArbitrary({ bodyLimit: options.bodyLimit });
  const started = performance.now();
  let burstSerial = 0;

  const violate = (label: string, problem: string, request: string, answer: string): void => {
    if (report.violations.length < 20) report.violations.push({ label, problem, request: preview(request), answer: preview(answer) });
    else report.moreViolations += 1;
  };
  const count = (answer: Answer): void => {
    report.calls += 1;
    report.byStatus[answer.status] = (report.byStatus[answer.status] ?? 0) + 1;
    try {
      const code = (JSON.parse(answer.text) as { code?: unknown }).code;
      if (typeof code === 'string') report.byCode[code] = (report.byCode[code] ?? 0) + 1;
    } catch {
      // 2xx text answers (healthz) have no code
    }
  };

  async function http(method: string, path: string, headers: Record<string, string>, body?: string | Buffer, chunked?: boolean): Promise<Answer | string> {
    try {
      const response = await pool.request({
        method,
        path,
        headers,
        ...(body === undefined ? {} : { body: chunked ? Readable.from([body.slice(0, 1000), body.slice(1000)]) : body }),
      });
      const text = await response.body.text();
      const type = response.headers['content-type'];
      return { status: response.statusCode, contentType: String(type ?? ''), text };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return `no answer: ${typeof code === 'string' ? `${code}: ` : ''}${(error as Error).message}`;
    }
  }

  const envelope = (fields: Record<string, unknown>): string => JSON.stringify({ env_type: 'default', task_id: null, instance_id: null, messages: {}, params: {}, ...fields });
  const json = { 'content-type': 'application/json' };

  /** A fresh instance, then steps, evaluations and releases on it all at once. */
  async function burst(request: Extract<FuzzRequest, { kind: 'burst' }>): Promise<void> {
    const id = `fz-burst-${burstSerial++}`;
    const created = await http('POST', '/create', json, envelope({ env_type: request.envType, task_id: request.taskId, instance_id: id }));
    if (typeof created === 'string' || created.status !== 200) {
      violate('burst', `create failed: ${typeof created === 'string' ? created : `${created.status} ${created.text}`}`, request.taskId, '');
      return;
    }
    count(created);
    const calls: Array<Promise<{ path: string; answer: Answer | string }>> = [];
    const send = (path: string, fields: Record<string, unknown>) => calls.push(http('POST', path, json, envelope({ instance_id: id, ...fields })).then((answer) => ({ path, answer })));
    for (let k = 0; k <= request.steps; k += 1) {
      if (k === request.releaseAt) for (let r = 0; r < request.releases; r += 1) send('/release', {});
      if (k < request.steps) send(k % 4 === 3 ? '/evaluate' : k % 5 === 4 ? '/get_info' : '/step', { messages: { role: 'assistant', content: String(k) } });
    }
    const answers = await Promise.all(calls);
    let released = 0;
    for (const { path, answer } of answers) {
      if (typeof answer === 'string') {
        violate('burst', answer, `${path} ${id}`, '');
        continue;
      }
      count(answer);
      const problem = judge(answer, true, forbidden);
      if (problem) violate('burst', problem, `${path} ${id}`, answer.text);
      else if (answer.status !== 200 && !(answer.status === 404 && answer.text.includes('SE_INSTANCE_NOT_FOUND'))) violate('burst', `status ${answer.status}`, `${path} ${id}`, answer.text);
      if (path === '/release' && answer.status === 200 && (JSON.parse(answer.text) as { success: boolean }).success) released += 1;
    }
    if (released !== 1) violate('burst', `${released} releases answered success (expected exactly 1)`, id, '');
  }

  async function one(request: FuzzRequest): Promise<void> {
    report.requests += 1;
    report.byLabel[request.label] = (report.byLabel[request.label] ?? 0) + 1;
    if (request.kind === 'burst') return burst(request);
    const answer = request.kind === 'raw' ? await sendRaw(url, request.bytes) : await http(request.method, request.path, request.headers, request.body, request.chunked);
    if (answer === null) return;
    const shown = request.kind === 'raw' ? preview(request.bytes) : `${request.method} ${request.path} ${JSON.stringify(request.headers)} ${preview(request.body)}`;
    if (typeof answer === 'string') {
      violate(request.label, answer, shown, '');
      return;
    }
    count(answer);
    const problem = judge(answer, request.kind === 'http' && request.mayPass, forbidden, request.kind === 'http' && request.method === 'HEAD');
    if (problem) violate(request.label, problem, shown, answer.text);
  }

  try {
    const batch = 500;
    for (let done = 0, round = 0; done < options.requests; done += batch, round += 1) {
      // one seed per batch: the same requests every run, without holding all of them in memory
      const requests = fc.sample(arbitrary, { seed: options.seed + round, numRuns: Math.min(batch, options.requests - done) });
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < requests.length) await one(requests[next++]!);
        }),
      );
    }
  } finally {
    await pool.close();
  }
  report.ms = Math.round(performance.now() - started);
  return report;
}
