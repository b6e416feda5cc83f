import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeAction, decodePythonCalls } from '../../src/envs/bfcl/calls.js';
import { builtinEnvironments } from '../../src/envs/builtins.js';
import { EnvironmentRegistry } from '../../src/envs/registry.js';
import type { EnvInstance, Environment } from '../../src/envs/types.js';
import { actionText } from '../../src/envs/webshop/environment.js';
import { parseAction } from '../../src/envs/webshop/transitions.js';
import type { Message, StepResult, ToolCall } from '../../src/protocol/messages.js';
import { runEpisode } from '../../src/runner/episode.js';
import { InProcessSandbox } from '../../src/sandbox/in-process.js';
import { InstanceManager } from '../../src/sandbox/instance-manager.js';

/**
 * Every action parser with generated input: WebShop's `search[...]`/`click[...]` actions and tool
 * calls, BFCL's Python call lists, `<tool_call>` blocks and OpenAI tool calls, and the guess env's
 * numbers. Nothing may throw out of a parser or an environment's step, every step answers a
 * well-formed result, and nothing is evaluated as code: payloads that would exit the process, set a
 * global or pollute a prototype change nothing. Fixed seeds, so every run checks the same inputs.
 */

const SEED = 7_070_707;
const CANARY = '__sandboxEvalFuzzHit';
const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype, Map.prototype];
const namesOf = (value: object) => Object.getOwnPropertyNames(value).sort().join(',');
const before = PROTOTYPES.map(namesOf);

let guess: Environment;
let webshop: Environment;
let bfcl: Environment;
let webshopWords: string[];
let bfclFunctions: string[];
let bfclTasks: readonly string[];
let exitSpy: ReturnType<typeof vi.spyOn>;

beforeAll(async () => {
  const registry = new EnvironmentRegistry(builtinEnvironments);
  [guess, webshop, bfcl] = await Promise.all([registry.load('guess', {}), registry.load('webshop', {}), registry.load('bfcl', {})]);
  // words the shop really has (ASINs, buttons, option values), so generated actions reach deep pages
  const shop = webshop.createInstance({ taskId: 'webshop_0', instanceId: 'probe', params: {} }) as EnvInstance;
  const results = await shop.step({ role: 'assistant', content: 'search[shirt]' }, {});
  const asins = [...(results.state[0]?.content ?? '').matchAll(/\b(B0[A-Z0-9]{8})\b/g)].map((match) => match[1]!);
  webshopWords = ['search', 'click', 'buy now', 'back to search', '< prev', 'next >', 'description', 'features', 'reviews', 'Action:', 'shirt', 'small', 'black', ...asins.slice(0, 5)];
  bfclTasks = bfcl.taskIds('test');
  const first = (await bfcl.createInstance({ taskId: bfclTasks[0]!, instanceId: 'probe', params: {} })) as EnvInstance;
  bfclFunctions = (first.initial.tools ?? []).map((tool) => tool.function.name);
  exitSpy = vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Error(`process.exit(${String(code)}) was called`);
  });
});

afterAll(() => {
  exitSpy.mockRestore();
});

// ---- generators ----

const SUSPICIOUS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'process.exit(7)',
  `globalThis.${CANARY} = 1`,
  `__import__('os').system('touch /tmp/${CANARY}')`,
  "require('child_process').execSync('id')",
  '${process.exit(7)}',
  'eval("1")',
  '\u0000',
  '\ud800',
  '\u202e',
];
const suspicious = fc.constantFrom(...SUSPICIOUS);

/** Text built from a vocabulary, so generated input is near the grammar, not only noise. */
function textOf(words: () => readonly string[], maxLength = 30): fc.Arbitrary<string> {
  return fc.array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...words()) }, { weight: 2, arbitrary: suspicious }, { weight: 2, arbitrary: fc.string({ maxLength: 6 }) }), { maxLength }).map((parts) => parts.join(''));
}

const PYTHON = ['[', ']', '(', ')', ',', '=', "'", '"', '\\', '.', ':', '{', '}', ' ', '\n', '`', '*', '**', '#', '-', '1', '0.5', '1e999', '0x1F', '-0', 'True', 'None', 'nan', 'lambda x: x', 'cd', 'ls', 'mkdir', 'folder', 'dir_name', 'a', "b'x'", "f'{x}'", '"""', 'x=1', 'os', 'system', '__import__'];
const pythonText = (): fc.Arbitrary<string> => textOf(() => [...PYTHON, ...bfclFunctions.slice(0, 8)], 40);

const nested = (open: string, depth: number): string => {
  const close = open === '[' ? ']' : open === '(' ? ')' : open === 'f(a=' ? ')' : '}';
  return `${open.repeat(depth)}1${close.repeat(depth)}`;
};
const deepTextUpTo = (max: number): fc.Arbitrary<string> => fc.tuple(fc.constantFrom('[', '{"a":', '(', 'f(a='), fc.integer({ min: 100, max })).map(([open, depth]) => nested(open, depth));
const deepText = deepTextUpTo(5_000);

const jsonish = (maxDepth = 5_000): fc.Arbitrary<string> =>
  fc.oneof(
    fc.json({ maxDepth: 3 }),
    fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify({ name: bfclFunctions[0] ?? 'ls', arguments: value })),
    fc.record({ name: fc.oneof(fc.constantFrom(...bfclFunctions), suspicious, fc.string({ maxLength: 10 })), arguments: fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), suspicious), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }) }).map((body) => JSON.stringify(body)),
    fc.constantFrom('{"__proto__": {"polluted": 1}}', '{"name": "__proto__", "arguments": {"__proto__": {"polluted": 1}}}', '{"name": "constructor", "arguments": {"prototype": {"polluted": 1}}}', '{"name": "cd", "arguments": {"folder": NaN}}', "{'name': 'ls', 'arguments': {}}"),
    deepTextUpTo(maxDepth).map((deep) => `{"name": "cd", "arguments": {"folder": ${deep}}}`),
    pythonText(),
  );

const toolCallBlocks = (maxDepth?: number): fc.Arbitrary<string> =>
  fc.array(fc.tuple(jsonish(maxDepth), fc.constantFrom('<tool_call>', '<tool_call>\n', '<tool_call> '), fc.constantFrom('</tool_call>', '\n</tool_call>', '', '</tool_call'), fc.string({ maxLength: 10 })), { minLength: 1, maxLength: 4 }).map((blocks) =>
    blocks.map(([body, open, close, between]) => `${open}${body}${close}${between}`).join(''),
  );

const toolCallArb = (names: () => readonly string[]): fc.Arbitrary<ToolCall> =>
  fc.record({
    id: fc.oneof(fc.string({ maxLength: 12 }), suspicious),
    type: fc.constant('function' as const),
    function: fc.record({
      name: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names()) }, { weight: 1, arbitrary: suspicious }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) }),
      arguments: fc.oneof(jsonish(), fc.string({ maxLength: 40 }), fc.constantFrom('', '{}', '{"number": 3}', '{"keywords": "shirt"}', '{"target": "buy now"}')),
    }),
  });

/** Well-typed messages (what the server's schema lets through) with generated content and tool calls. */
const messageArb = (content: () => fc.Arbitrary<string>, names: () => readonly string[]): fc.Arbitrary<Message> =>
  fc
    .record({ content: content(), tool_calls: fc.option(fc.array(toolCallArb(names), { maxLength: 3 }), { nil: undefined, freq: 3 }) }, { requiredKeys: ['content'] })
    .map((message) => ({ role: 'assistant' as const, ...message }));

const anyContent = (): fc.Arbitrary<string> => fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }), suspicious, deepText);

// ---- checks ----

function expectWellFormed(result: StepResult): void {
  expect(Array.isArray(result.state)).toBe(true);
  for (const message of result.state) {
    expect(['system', 'user', 'assistant', 'tool']).toContain(message.role);
    expect(typeof message.content).toBe('string');
  }
  expect(Number.isFinite(result.reward)).toBe(true);
  expect(typeof result.is_terminated).toBe('boolean');
  expect(() => JSON.stringify(result)).not.toThrow();
}

async function episode(env: Environment, taskId: string, actions: readonly Message[], params: Record<string, unknown> = {}): Promise<void> {
  const instance = await env.createInstance({ taskId, instanceId: 'fuzz', params });
  for (const action of actions) expectWellFormed(await instance.step(action, {}));
  const evaluation = await instance.evaluate({}, { sparse: false });
  const reward = typeof evaluation === 'number' ? evaluation : (evaluation as { reward?: unknown }).reward;
  expect(Number.isFinite(reward)).toBe(true);
  await instance.close?.();
}

const runs = (numRuns: number) => ({ seed: SEED, numRuns });

describe('WebShop actions', () => {
  it('parseAction never throws; what it reads is name[arg] with a lower-cased arg', () => {
    fc.assert(
      fc.property(fc.oneof(textOf(() => webshopWords), anyContent()), (text) => {
        const parsed = parseAction(text);
        if (parsed) {
          expect(parsed.name.length).toBeGreaterThan(0);
          expect(parsed.arg).toBe(parsed.arg.toLowerCase());
        }
      }),
      runs(3_000),
    );
  });

  it('actionText reads any message, tool calls named like Object.prototype members included', () => {
    fc.assert(
      fc.property(messageArb(() => fc.oneof(textOf(() => webshopWords), anyContent()), () => ['search', 'click']), (message) => {
        expect(typeof actionText(message).text).toBe('string');
      }),
      runs(2_000),
    );
  });

  it('episodes of generated actions never throw and always answer a well-formed step', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 20 }),
        fc.array(messageArb(() => fc.oneof({ weight: 4, arbitrary: textOf(() => webshopWords, 8) }, { weight: 1, arbitrary: anyContent() }), () => ['search', 'click']), { minLength: 1, maxLength: 8 }),
        (goal, actions) => episode(webshop, `webshop_${goal}`, actions),
      ),
      runs(300),
    );
  });
});

describe('BFCL calls', () => {
  it('decodePythonCalls never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: pythonText() }, { weight: 1, arbitrary: anyContent() }, { weight: 1, arbitrary: deepText.map((deep) => `[cd(folder=${deep})]`) }), (text) => {
        const calls = decodePythonCalls(text);
        if (calls) for (const call of calls) expect(typeof call.name).toBe('string');
      }),
      runs(2_000),
    );
  });

  it('decodeAction reads <tool_call> blocks, OpenAI tool calls and plain text without throwing', () => {
    fc.assert(
      fc.property(messageArb(() => fc.oneof(toolCallBlocks(), pythonText(), anyContent()), () => bfclFunctions), (message) => {
        const decoded = decodeAction(message);
        if (decoded) for (const { id, call } of decoded.calls) expect([typeof id, typeof call.name]).toEqual(['string', 'string']);
      }),
      runs(3_000),
    );
  });

  it('episodes of generated actions never throw, in both observation formats', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.constantFrom('agentscope', 'bfcl'),
        // nesting kept to 500 levels here: deeper is the known bug below
        fc.array(messageArb(() => fc.oneof({ weight: 3, arbitrary: toolCallBlocks(500) }, { weight: 3, arbitrary: pythonText() }, { weight: 1, arbitrary: fc.string({ maxLength: 200 }) }), () => bfclFunctions), { minLength: 1, maxLength: 8 }),
        (task, format, actions) => episode(bfcl, bfclTasks[task % bfclTasks.length]!, actions, { observation_format: format }),
      ),
      runs(300),
    );
  });

  // Found by this fuzzing: with observation_format "bfcl", arguments nested thousands deep made pyRepr
  // overflow the stack out of step(). Decoding now refuses arguments nested deeper than 64 levels.
  it('deeply nested call arguments do not throw out of step in the "bfcl" observation format', async () => {
    // the depth that used to overflow depends on the stack size; one of these did
    for (const depth of [1_000, 2_000, 3_000, 4_000, 6_000]) {
      const action: Message = { role: 'assistant', content: `<tool_call>{"name": "cd", "arguments": {"folder": ${nested('[', depth)}}}</tool_call>` };
      await episode(bfcl, bfclTasks[0]!, [action], { observation_format: 'bfcl' });
    }
  });
});

describe('agents that answer malformed messages', () => {
  it('are the agent\'s error under the embedded provider: the environment never sees them', async () => {
    const registry = new EnvironmentRegistry(builtinEnvironments);
    const sandbox = new InProcessSandbox({ manager: new InstanceManager({ registry, idleTimeoutMs: 0 }) });
    const junk = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.record({ role: fc.constant('assistant'), content: fc.oneof(fc.string(), fc.jsonValue()), tool_calls: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.array(fc.oneof(fc.constant(null), fc.jsonValue({ maxDepth: 2 }), fc.record({ function: fc.jsonValue({ maxDepth: 1 }) })), { minLength: 1, maxLength: 2 })) }, { requiredKeys: ['tool_calls'] }),
    );
    let serial = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('guess', 'webshop', 'bfcl'), junk, async (dataset, answer) => {
          const taskId = dataset === 'guess' ? 'guess_1' : dataset === 'webshop' ? 'webshop_1' : bfclTasks[0]!;
          const result = await runEpisode(
            { suite: 's', dataset, split: 'test', taskId, trial: 0, agent: () => answer as string, maxSteps: 2, pass: 1, timeoutMs: 10_000, params: {}, instanceId: `junk-${serial++}` },
            sandbox,
            new AbortController().signal,
          );
          if (result.status === 'errored') expect(result.error?.kind, result.error?.message).toBe('agent');
        }),
        runs(400),
      );
    } finally {
      await sandbox.close();
    }
  });
});

describe('guess', () => {
  it('episodes of generated actions never throw', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 99 }),
        fc.array(messageArb(() => fc.oneof(fc.integer().map(String), fc.constantFrom('1e999', '-0', '9007199254740993', '0x10'), anyContent()), () => ['guess']), { minLength: 1, maxLength: 10 }),
        (task, actions) => episode(guess, `guess_${task}`, actions),
      ),
      runs(500),
    );
  });
});

describe('nothing was evaluated as code', () => {
  it('no prototype changed, no global was set, process.exit was never called', () => {
    expect(PROTOTYPES.map(namesOf)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((globalThis as Record<string, unknown>)[CANARY]).toBeUndefined();
    expect(exitSpy).not.toHaveBeenCalled();
  });
});
