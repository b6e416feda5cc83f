/**
 * openaiAgent against a TEST DOUBLE of an OpenAI-compatible chat-completions server, written here on
 * node:http and listening on 127.0.0.1. No model runs anywhere in these tests: each answer is scripted
 * by the test, and the double records what the agent sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openaiAgent, type OpenAIAgentOptions } from '../../src/agents/openai.js';
import type { AgentContext } from '../../src/agents/types.js';
import { builtinEnvironments } from '../../src/envs/builtins.js';
import { EnvironmentRegistry } from '../../src/envs/registry.js';
import { ConfigError, ModelRequestError } from '../../src/errors.js';
import type { Message, ToolSpec } from '../../src/protocol/messages.js';
import { runEpisode } from '../../src/runner/episode.js';
import { InProcessSandbox } from '../../src/sandbox/in-process.js';
import { InstanceManager } from '../../src/sandbox/instance-manager.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

type Script = (request: Received, response: ServerResponse) => void;

/** The chat-completions test double: answers each request with the next scripted handler. */
class ChatServer {
  readonly requests: Received[] = [];
  readonly #server: Server;
  #script: Script[] = [];
  /** Requests whose client went away before an answer. */
  closedEarly = 0;

  constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
        this.requests.push(received);
        res.on('close', () => {
          if (!res.writableFinished) this.closedEarly += 1;
        });
        const next = this.#script.shift();
        if (next) next(received, res);
        else json(res, 500, { error: { message: 'the test scripted no answer for this request' } });
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`;
  }

  answer(...handlers: Script[]): void {
    this.#script.push(...handlers);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const completion = (message: Record<string, unknown>) => ({
  id: 'chatcmpl-test',
  object: 'chat.completion',
  model: 'test-model',
  choices: [{ index: 0, finish_reason: message.tool_calls ? 'tool_calls' : 'stop', message: { role: 'assistant', ...message } }],
});
const say = (content: string): Script => (_req, res) => json(res, 200, completion({ content }));
const fail = (status: number, body: unknown, headers?: Record<string, string>): Script => (_req, res) => json(res, status, body, headers);

const GUESS_TOOL: ToolSpec = {
  type: 'function',
  function: { name: 'guess', description: 'Guess the number.', parameters: { type: 'object', properties: { number: { type: 'integer' } } } },
};

function context(messages: Message[], extra: Partial<AgentContext> = {}): AgentContext {
  return {
    messages,
    task: { dataset: 'guess', split: 'test', id: 'guess_1', trial: 0 },
    step: 0,
    signal: new AbortController().signal,
    ...extra,
  };
}

const start: Message[] = [
  { role: 'system', content: 'You are playing a guessing game.' },
  { role: 'user', content: 'I am thinking of an integer from 1 to 100.' },
];

let server: ChatServer;
let baseURL: string;
const savedEnv = { base: process.env.OPENAI_BASE_URL, key: process.env.OPENAI_API_KEY };
beforeEach(async () => {
  server = new ChatServer();
  baseURL = await server.listen();
  delete process.env.OPENAI_BASE_URL;
  delete process.env.OPENAI_API_KEY;
});
afterEach(async () => {
  await server.close();
  for (const [key, value] of [['OPENAI_BASE_URL', savedEnv.base], ['OPENAI_API_KEY', savedEnv.key]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

const agentFor = (options: Partial<OpenAIAgentOptions> = {}) => openaiAgent({ baseURL, model: 'test-model', retries: 0, ...options });

describe('openaiAgent against a chat-completions test double (no model runs here)', () => {
  it('sends the model, the conversation, the tools and the key, and returns the assistant message', async () => {
    server.answer(say('50'));
    const agent = agentFor({ apiKey: 'sk-test', temperature: 0.2, maxTokens: 64, toolChoice: 'auto', systemPrompt: 'Be brief.', headers: { 'x-team': 'evals' } });
    const answer = await agent(context(start, { tools: [GUESS_TOOL] }));
    expect(answer).toEqual({ role: 'assistant', content: '50' });

    const [sent] = server.requests;
    expect(sent?.method).toBe('POST');
    expect(sent?.url).toBe('/v1/chat/completions');
    expect(sent?.headers.authorization).toBe('Bearer sk-test');
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.headers['x-team']).toBe('evals');
    expect(sent?.body).toEqual({
      model: 'test-model',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'system', content: 'You are playing a guessing game.' },
        { role: 'user', content: 'I am thinking of an integer from 1 to 100.' },
      ],
      temperature: 0.2,
      max_tokens: 64,
      tools: [GUESS_TOOL],
      tool_choice: 'auto',
    });
  });

  it('sends no tools, tool_choice, or Authorization when there are none', async () => {
    server.answer(say('hi'));
    await agentFor({ toolChoice: 'required' })(context(start));
    const [sent] = server.requests;
    expect(sent?.headers.authorization).toBeUndefined();
    expect(Object.keys(sent?.body ?? {})).toEqual(['model', 'messages']);
  });

  it('reads OPENAI_BASE_URL and OPENAI_API_KEY when the options leave them out', async () => {
    process.env.OPENAI_BASE_URL = `${baseURL}/`;
    process.env.OPENAI_API_KEY = 'sk-from-env';
    server.answer(say('ok'));
    await openaiAgent({ model: 'test-model' })(context(start));
    expect(server.requests[0]?.url).toBe('/v1/chat/completions');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-from-env');
  });

  it('returns tool calls, with ids and string arguments even when the server leaves them out', async () => {
    server.answer((_req, res) =>
      json(res, 200, completion({
        content: null,
        tool_calls: [
          { id: 'call_abc', type: 'function', function: { name: 'guess', arguments: '{"number":50}' } },
          { type: 'function', function: { name: 'guess', arguments: { number: 51 } } },
        ],
      })),
    );
    const answer = await agentFor()(context(start, { tools: [GUESS_TOOL], step: 4 }));
    expect(answer).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [
        { id: 'call_abc', type: 'function', function: { name: 'guess', arguments: '{"number":50}' } },
        { id: 'call_4_1', type: 'function', function: { name: 'guess', arguments: '{"number":51}' } },
      ],
    });
  });

  it('sends tool results as tool messages tied to their calls, and observations as user messages', async () => {
    server.answer(say('done'));
    const call = (id: string, n: number) => ({ id, type: 'function' as const, function: { name: 'guess', arguments: `{"number":${n}}` } });
    const history: Message[] = [
      ...start,
      { role: 'assistant', content: '', tool_calls: [call('a', 50), call('b', 75)] },
      { role: 'tool', content: '75 is wrong', tool_call_id: 'b' },
      { role: 'tool', content: '50 is wrong' }, // no id: it answers the call still open
      { role: 'assistant', content: 'trying 60', tool_calls: [call('c', 60)] },
      { role: 'user', content: '60 is wrong; higher.' }, // an env that answers tool calls with user messages
      { role: 'assistant', content: '61' },
      { role: 'tool', content: 'stray tool output', tool_call_id: 'zzz' },
    ];
    await agentFor()(context(history, { tools: [GUESS_TOOL] }));
    expect(server.requests[0]?.body.messages).toEqual([
      ...start,
      { role: 'assistant', content: null, tool_calls: [call('a', 50), call('b', 75)] },
      { role: 'tool', content: '75 is wrong', tool_call_id: 'b' },
      { role: 'tool', content: '50 is wrong', tool_call_id: 'a' },
      { role: 'assistant', content: 'trying 60', tool_calls: [call('c', 60)] },
      { role: 'tool', tool_call_id: 'c', content: "(no separate result for this call; the next message is the environment's answer)" },
      { role: 'user', content: '60 is wrong; higher.' },
      { role: 'assistant', content: '61' },
      { role: 'user', content: 'stray tool output' },
    ]);
  });

  it('retries 503 and 429, honouring Retry-After, then returns the answer', async () => {
    server.answer(
      fail(503, { error: { message: 'overloaded' } }, { 'retry-after': '0' }),
      fail(429, { error: { message: 'slow down', type: 'rate_limit_exceeded' } }, { 'retry-after-ms': '10' }),
      say('third time lucky'),
    );
    const answer = await agentFor({ retries: 3 })(context(start));
    expect(answer).toEqual({ role: 'assistant', content: 'third time lucky' });
    expect(server.requests).toHaveLength(3);
  });

  it('retries a 5xx without Retry-After after a short backoff', async () => {
    server.answer(fail(502, 'Bad Gateway'), say('ok'));
    expect(await agentFor({ retries: 1 })(context(start))).toEqual({ role: 'assistant', content: 'ok' });
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after `retries`, saying what the server said', async () => {
    const overloaded = fail(500, { error: { message: 'internal failure' } }, { 'retry-after': '0' });
    server.answer(overloaded, overloaded, overloaded);
    const error = await Promise.resolve(agentFor({ retries: 2 })(context(start))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRequestError);
    expect((error as ModelRequestError).code).toBe('SE_MODEL_REQUEST');
    expect((error as ModelRequestError).status).toBe(500);
    expect((error as Error).message).toBe(`The model server at ${baseURL}/chat/completions failed with 500: internal failure (after 2 retries). Check the server, or raise \`retries\`.`);
    expect(server.requests).toHaveLength(3);
  });

  it('fails at once when Retry-After asks for longer than it waits, or the quota is used up', async () => {
    server.answer(fail(429, { error: { message: 'come back later' } }, { 'retry-after': '3600' }));
    await expect(agentFor({ retries: 5 })(context(start))).rejects.toThrow(
      'rate-limited the request (429): come back later; the server asked to retry after 3600 s, longer than the 60 s this agent waits. Lower --concurrency, or raise `retries`.',
    );
    server.answer(fail(429, { error: { message: 'You exceeded your current quota', code: 'insufficient_quota' } }));
    await expect(agentFor({ retries: 5 })(context(start))).rejects.toThrow("says the quota is used up (429): You exceeded your current quota. Check the account's plan and billing.");
    expect(server.requests).toHaveLength(2);
  });

  it('says to set OPENAI_API_KEY on 401, and names the model on 404', async () => {
    server.answer(fail(401, { error: { message: 'Incorrect API key provided', code: 'invalid_api_key' } }));
    await expect(agentFor({ retries: 3 })(context(start))).rejects.toThrow(
      `The model server at ${baseURL}/chat/completions refused the API key (401): Incorrect API key provided. Set OPENAI_API_KEY (or pass apiKey to openaiAgent) to a valid key for this server.`,
    );
    server.answer(fail(404, { error: { message: 'The model `gpt-9` does not exist', code: 'model_not_found' } }));
    await expect(agentFor({ model: 'gpt-9' })(context(start))).rejects.toThrow(
      'Model "gpt-9" was not found at ' + `${baseURL}/chat/completions (404): The model \`gpt-9\` does not exist. Check the model name, and that baseURL points at an OpenAI-compatible API (it usually ends in /v1).`,
    );
    server.answer(fail(400, { error: { message: "This model's maximum context length is 8192 tokens" } }));
    await expect(agentFor()(context(start))).rejects.toThrow("rejected the request (400): This model's maximum context length is 8192 tokens.");
    // client errors are not retried
    expect(server.requests).toHaveLength(3);
  });

  it('fails clearly on an answer that is not a chat completion', async () => {
    server.answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login page</html>');
    });
    await expect(agentFor()(context(start))).rejects.toThrow('answered without a chat completion (expected choices[0].message): <html>login page</html>.');
  });

  it('passes the abort signal on: the request is cancelled and the abort reason comes back', async () => {
    const controller = new AbortController();
    const reason = new Error('episode timed out');
    server.answer(() => controller.abort(reason)); // the double holds the request; the episode gives up
    await expect(agentFor({ retries: 3 })(context(start, { signal: controller.signal }))).rejects.toBe(reason);
    await expect.poll(() => server.closedEarly).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  it('stops waiting between retries when aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('interrupted');
    server.answer((_req, res) => {
      json(res, 503, { error: { message: 'busy' } }, { 'retry-after': '30' });
      setImmediate(() => controller.abort(reason));
    });
    await expect(agentFor({ retries: 3 })(context(start, { signal: controller.signal }))).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
  });

  it('times out a request that gets no answer within timeoutMs', async () => {
    server.answer(() => undefined); // never answers
    await expect(agentFor({ timeoutMs: 150, retries: 2 })(context(start))).rejects.toThrow(
      `The model server at ${baseURL}/chat/completions did not answer within 150 ms. Raise \`timeoutMs\` for slow models, or check the server.`,
    );
    expect(server.requests).toHaveLength(1);
  });

  it('says when the server cannot be reached', async () => {
    await server.close();
    const error = await Promise.resolve(agentFor({ retries: 0 })(context(start))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRequestError);
    expect((error as Error).message).toMatch(
      new RegExp(`^Cannot reach the model server at ${baseURL.replace(/[.]/g, '\\.')}/chat/completions: .*ECONNREFUSED.* \\(after 0 retries\\)\\. Check baseURL \\(or OPENAI_BASE_URL\\) and that the server is running\\.$`),
    );
    server = new ChatServer(); // afterEach closes a fresh one
    await server.listen();
  });

  it('checks its options before any request', () => {
    expect(() => openaiAgent({ model: '' })).toThrow(ConfigError);
    expect(() => openaiAgent({ model: '' })).toThrow('openaiAgent: expected `model` to be a non-empty string, got `""` (string). Pass the name the server serves, e.g. openaiAgent({ model: "gpt-4o-mini" }).');
    expect(() => openaiAgent({ model: 'm', baseURL: 'localhost:8000' })).toThrow('expected `baseURL` to be an http(s) URL such as http://127.0.0.1:11434/v1, got `"localhost:8000"` (string).');
    expect(() => openaiAgent({ model: 'm', retries: -1 })).toThrow('expected `retries` to be an integer ≥ 0, got `-1` (number).');
    expect(() => openaiAgent({ model: 'm', timeoutMs: 0 })).toThrow('expected `timeoutMs` to be an integer ≥ 1');
    expect(() => openaiAgent({ model: 'm', temperature: -0.5 })).toThrow('expected `temperature` to be a number ≥ 0');
    expect(() => openaiAgent({ model: 'm', maxTokens: 1.5 })).toThrow('expected `maxTokens` to be an integer ≥ 1');
    process.env.OPENAI_BASE_URL = 'ftp://example';
    expect(() => openaiAgent({ model: 'm' })).toThrow('It came from OPENAI_BASE_URL.');
  });
});

describe('openaiAgent in an episode of the guess environment (the server is a test double, no model runs)', () => {
  it('plays through tool calls: the double bisects on the observations it is sent, and the task passes', async () => {
    // A scripted "model": reads the range and the higher/lower hints from the conversation it was sent,
    // and answers with a `guess` tool call, as a function-calling model would.
    const bisect: Script = (req, res) => {
      const messages = req.body.messages as Array<{ role: string; content: string | null }>;
      const range = /from (\d+) to (\d+)/.exec(messages.map((m) => m.content ?? '').join('\n'));
      let low = Number(range?.[1]);
      let high = Number(range?.[2]);
      for (const m of messages) {
        const hint = /(\d+) is wrong; the number is (higher|lower)/.exec(m.content ?? '');
        if (hint?.[2] === 'higher') low = Number(hint[1]) + 1;
        if (hint?.[2] === 'lower') high = Number(hint[1]) - 1;
      }
      const n = Math.floor((low + high) / 2);
      json(res, 200, completion({ content: null, tool_calls: [{ id: `call_${messages.length}`, type: 'function', function: { name: 'guess', arguments: JSON.stringify({ number: n }) } }] }));
    };
    server.answer(...Array.from({ length: 20 }, () => bisect));
    const sandbox = new InProcessSandbox({ manager: new InstanceManager({ registry: new EnvironmentRegistry(builtinEnvironments) }) });
    const result = await runEpisode(
      {
        suite: 'openai',
        dataset: 'guess',
        split: 'val',
        taskId: 'guess_61',
        trial: 0,
        agent: agentFor({ toolChoice: 'required' }),
        maxSteps: 20,
        pass: 1,
        timeoutMs: 30_000,
        params: {},
        instanceId: 'openai-episode-1',
      },
      sandbox,
      new AbortController().signal,
    );
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('passed');
    expect(result.steps).toBe(server.requests.length);
    // the environment offered its tool, and the agent passed it on with the tool choice
    expect(server.requests[0]?.body.tools).toEqual([expect.objectContaining({ type: 'function', function: expect.objectContaining({ name: 'guess' }) })]);
    expect(server.requests[0]?.body.tool_choice).toBe('required');
    // every request after the first carries the previous call and an answer to it, as the API demands
    const last = server.requests.at(-1)?.body.messages as Array<{ role: string; tool_calls?: Array<{ id: string }>; tool_call_id?: string }>;
    for (const [i, m] of last.entries()) {
      for (const call of m.tool_calls ?? []) expect(last.slice(i + 1).some((n) => n.role === 'tool' && n.tool_call_id === call.id)).toBe(true);
    }
  });
});
