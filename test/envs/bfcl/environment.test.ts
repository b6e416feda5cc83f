import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../../src/agents/types.js';
import { builtinEnvironments } from '../../../src/envs/builtins.js';
import { bfclEnvironment } from '../../../src/envs/builtins.js';
import { BfclEnvironment, loadBfclEnvironment } from '../../../src/envs/bfcl/index.js';
import { checkEntry } from '../../../src/envs/bfcl/checker.js';
import { fixturesDir, loadBfclDataset } from '../../../src/envs/bfcl/data.js';
import { MAX_STEPS_PER_TURN, type BfclEvaluation } from '../../../src/envs/bfcl/instance.js';
import type { EnvInstance } from '../../../src/envs/types.js';
import { EnvironmentRegistry } from '../../../src/envs/registry.js';
import { isSandboxEvalError } from '../../../src/errors.js';
import type { Message } from '../../../src/protocol/messages.js';
import { dropEachCall, runEpisode } from './helpers.js';

const env = loadBfclEnvironment();
const oracle = env.agents.oracle!;

/** An agent that sends `actions` in order, then plain text forever. */
function scripted(actions: Array<string | Message>): Agent {
  let next = 0;
  return () => actions[next++] ?? 'All done.';
}

function evaluation(instance: EnvInstance): BfclEvaluation {
  return instance.evaluate({}, {}) as BfclEvaluation;
}

describe('bfcl environment on the project fixtures', () => {
  it('is registered as a built-in and loads the fixtures without --data', async () => {
    expect(builtinEnvironments).toContain(bfclEnvironment);
    const loaded = await new EnvironmentRegistry(builtinEnvironments).load('bfcl');
    expect(loaded.taskIds('test')).toHaveLength(10);
    expect(fixturesDir()).toMatch(/fixtures[/\\]bfcl$/);
  });

  it('has train/val halves per category, test, and one split per category', () => {
    expect(env.splits()).toEqual(['train', 'val', 'test', 'multi_turn_base', 'multi_turn_miss_func', 'multi_turn_miss_param']);
    expect(env.taskIds('train')).toEqual(['multi_turn_base_0', 'multi_turn_base_1', 'multi_turn_base_2', 'multi_turn_miss_func_0', 'multi_turn_miss_param_0']);
    expect(env.taskIds('val')).toEqual(['multi_turn_base_3', 'multi_turn_base_4', 'multi_turn_base_5', 'multi_turn_miss_func_1', 'multi_turn_miss_param_1']);
    expect(env.taskIds('multi_turn_miss_func')).toEqual(['multi_turn_miss_func_0', 'multi_turn_miss_func_1']);
    expect(() => env.taskIds('nope')).toThrow(/has no split "nope". Known splits: train, val, test/);
  });

  it('the oracle scores 1 on every fixture entry, covering all eight classes', async () => {
    const classes = new Set<string>();
    for (const id of env.taskIds('test')) {
      const { reward, instance } = await runEpisode(env, id, oracle);
      expect({ id, reward }).toEqual({ id, reward: 1 });
      expect(evaluation(instance)).toMatchObject({ valid: true, accuracy: 1, completed: true, test_id: id });
      for (const name of env.entry(id).involvedClasses) classes.add(name);
    }
    expect(classes.size).toBe(8);
  });

  it('offers OpenAI function specs converted from the gorilla docs and an AgentScope system prompt', async () => {
    const instance = await env.createInstance({ taskId: 'multi_turn_base_1', instanceId: 'i1', params: {} });
    const names = instance.initial.tools!.map((tool) => tool.function.name);
    expect(names).toHaveLength(18 + 17);
    const log = instance.initial.tools!.find((tool) => tool.function.name === 'logarithm')!;
    expect(log.function.parameters).toMatchObject({ type: 'object', properties: { value: { type: 'number' }, precision: { type: 'integer' } } });
    expect((log.function.parameters as { properties: { value: { description: string } } }).properties.value.description).toMatch(/This is a float type value\.$/);
    expect(instance.initial.state[0]!.content).toContain('<tools>\n{"name":"cat",');
    expect(instance.initial.state[1]).toEqual({ role: 'user', content: 'How many lines does garden.txt in notes have?' });
    expect(instance.initial.info).toMatchObject({ instance_id: 'i1', task_id: 'multi_turn_base_1', test_id: 'multi_turn_base_1', tools_count: 35, questions_count: 3 });
  });

  it('answers <tool_call> blocks in AgentScope format and moves to the next turn on plain text', async () => {
    const instance = await env.createInstance({ taskId: 'multi_turn_base_0', instanceId: 'i', params: {} });
    const blocks = [
      '<tool_call>{"name": "cd", "arguments": {"folder": "notes"}}</tool_call>',
      '<tool_call>\n{"name": "mkdir", "arguments": "{\\"dir_name\\": \\"archive\\"}"}\n</tool_call>',
      '<tool_call>not json</tool_call>',
      '<tool_call>{"name": "mv", "arguments": {"source": "todo.txt", "destination": "archive"}}</tool_call>',
    ].join(' ');
    const result = await instance.step({ role: 'assistant', content: blocks }, {});
    expect(result).toEqual({
      state: [
        {
          role: 'user',
          tool_calls: [],
          content:
            '<tool_call>\n{"name": "cd_1", "content": {"current_working_directory": "notes"}}\n</tool_call>\n' +
            '<tool_call>\n{"name": "mkdir_2", "content": "None"}\n</tool_call>\n' +
            `<tool_call>\n{"name": "mv_3", "content": {"result": "'todo.txt' moved to 'archive/todo.txt'"}}\n</tool_call>\n`,
        },
      ],
      reward: 0,
      is_terminated: false,
      info: {},
    });
    const next = await instance.step({ role: 'assistant', content: 'Moved it.' }, {});
    expect(next.state).toEqual([{ role: 'user', content: 'Which lines of garden.txt mention water?' }]);
  });

  it('accepts OpenAI tool_calls (answered with tool messages) and BFCL python lists', async () => {
    const instance = await env.createInstance({ taskId: 'multi_turn_base_1', instanceId: 'i', params: {} });
    const viaTools = await instance.step(
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          { id: 'call_a', type: 'function', function: { name: 'cd', arguments: '{"folder": "notes"}' } },
          { id: 'call_b', type: 'function', function: { name: 'wc', arguments: '{"file_name": "garden.txt", "mode": "l"}' } },
        ],
      },
      {},
    );
    expect(viaTools.state).toEqual([
      { role: 'tool', tool_call_id: 'call_a', content: '{"current_working_directory": "notes"}' },
      { role: 'tool', tool_call_id: 'call_b', content: '{"count": 3, "type": "lines"}' },
    ]);
    await instance.step({ role: 'assistant', content: '3 lines.' }, {});
    const viaPython = await instance.step({ role: 'assistant', content: '```\n[mean(numbers=[3, 16, 60]), mean([1])]\n```' }, {});
    // positional arguments are dropped from model output, as BFCL's decoder does
    expect(viaPython.state[0]!.content).toBe(
      '<tool_call>\n{"name": "mean_1", "content": {"result": 26.333333333333332}}\n</tool_call>\n' +
        `<tool_call>\n{"name": "mean_2", "content": "Error during execution: MathAPI.mean() missing 1 required positional argument: 'numbers'"}\n</tool_call>\n`,
    );
  });

  it('shows results the BFCL prompting way with observation_format=bfcl', async () => {
    const instance = await env.createInstance({ taskId: 'multi_turn_base_1', instanceId: 'i', params: { observation_format: 'bfcl' } });
    const result = await instance.step({ role: 'assistant', content: "[cd(folder='notes'), wc(file_name='garden.txt')]" }, {});
    expect(result.state).toEqual([
      {
        role: 'user',
        content: `[{'role': 'tool', 'name': "cd(folder='notes')", 'content': '{"current_working_directory": "notes"}'}, {'role': 'tool', 'name': "wc(file_name='garden.txt')", 'content': '{"count": 3, "type": "lines"}'}]`,
      },
    ]);
    expect(() => env.createInstance({ taskId: 'multi_turn_base_1', instanceId: 'i', params: { observation_format: 'xml' } })).toThrow(
      "Expected `observation_format` to be one of 'agentscope', 'bfcl', got `\"xml\"` (string).",
    );
  });

  it('withholds miss_func functions until their turn, then reveals them in StepResult.tools', async () => {
    const instance = await env.createInstance({ taskId: 'multi_turn_miss_func_0', instanceId: 'i', params: {} });
    const offered = () => instance.initial.tools!.map((tool) => tool.function.name);
    expect(offered()).not.toContain('fillFuelTank');
    expect(instance.initial.state[0]!.content).not.toContain('"fillFuelTank"');
    await instance.step({ role: 'assistant', content: "[displayCarStatus(option='fuel')]" }, {});
    const turn1 = await instance.step({ role: 'assistant', content: 'Your fuel level is 10.' }, {});
    expect(turn1.tools).toBeUndefined();
    const reveal = await instance.step({ role: 'assistant', content: 'I cannot fill the tank with the tools I have.' }, {});
    expect(reveal.state).toEqual([{ role: 'user', content: 'I have updated some more functions you can choose from. What about now?' }]);
    expect(reveal.tools!.map((tool) => tool.function.name)).toContain('fillFuelTank');
    expect(reveal.tools).toHaveLength(instance.initial.tools!.length + 1);
    expect(instance.getInfo()).toContain('- fillFuelTank');
  });

  it('ends the episode with [CONVERSATION_COMPLETED] and the reward, then stays terminated', async () => {
    const { results, instance } = await runEpisode(env, 'multi_turn_miss_param_0', oracle);
    const last = results[results.length - 1]!;
    expect(last).toMatchObject({ state: [{ role: 'user', content: '[CONVERSATION_COMPLETED]' }], reward: 1, is_terminated: true });
    expect(await instance.step({ role: 'assistant', content: 'more?' }, {})).toMatchObject({ is_terminated: true, reward: 1 });
    expect(instance.evaluate({}, { sparse: true })).toBe(1);
  });

  it(`force-quits after ${MAX_STEPS_PER_TURN} call steps in one turn, failing the entry as BFCL does`, async () => {
    const instance = await env.createInstance({ taskId: 'multi_turn_miss_param_0', instanceId: 'i', params: {} });
    for (let step = 1; step <= MAX_STEPS_PER_TURN; step += 1) {
      expect((await instance.step({ role: 'assistant', content: '[ls()]' }, {})).is_terminated).toBe(false);
    }
    const quit = await instance.step({ role: 'assistant', content: '[ls()]' }, {});
    expect(quit).toMatchObject({ is_terminated: true, reward: 0 });
    expect(quit.state[quit.state.length - 1]!.content).toMatch(/^\[FORCE_QUIT\]/);
    expect(evaluation(instance)).toMatchObject({ valid: false, force_quit: true, error_type: 'multi_turn:force_terminated' });
  });

  it('grades the last turn mid-way, and a force-quit in the last turn normally (BFCL cannot tell)', async () => {
    const instance = await env.createInstance({ taskId: 'multi_turn_base_1', instanceId: 'i', params: {} });
    const send = (content: string) => instance.step({ role: 'assistant', content }, {});
    send("[cd(folder='notes'), wc(file_name='garden.txt', mode='l')]");
    send('3 lines');
    send('[mean(numbers=[3, 16, 60])]');
    send('about 26.3');
    expect(instance.evaluate({}, { sparse: true })).toBe(0);
    send('[logarithm(value=36.0, base=6.0, precision=4)]');
    expect(evaluation(instance)).toMatchObject({ valid: true, completed: false });
    for (let step = 2; step <= MAX_STEPS_PER_TURN; step += 1) send('[ls()]');
    const quit = send('[ls()]');
    expect(quit).toMatchObject({ is_terminated: true, reward: 1 });
    expect(evaluation(instance)).toMatchObject({ valid: true, force_quit: true, completed: false });
  });

  it('grades an unfinished episode as force-terminated, sparse or detailed', async () => {
    const instance = await env.createInstance({ taskId: 'multi_turn_base_1', instanceId: 'i', params: { model_name: 'my-model.v1' } });
    expect(instance.evaluate({}, { sparse: true })).toBe(0);
    expect(evaluation(instance)).toMatchObject({
      reward: 0,
      valid: false,
      accuracy: 0,
      total_count: 1,
      correct_count: 0,
      test_category: 'multi_turn_base',
      model_name: 'my_model_v1',
      error_type: 'multi_turn:force_terminated',
      error_message: 'Model was force-terminated during inference phase. The length of the model result turns (1) does not match the length of the ground truth turns (3).',
    });
  });

  it('fails with the reason BFCL gives when a ground-truth call is left out', async () => {
    // base_0 turn 0 is cd, mkdir, mv: leaving out mkdir changes the state
    const skipMkdir = scripted([
      "[cd(folder='notes'), mv(source='todo.txt', destination='archive')]",
      'done',
      "[grep(file_name='garden.txt', pattern='water')]",
    ]);
    const { instance, reward } = await runEpisode(env, 'multi_turn_base_0', skipMkdir);
    expect(reward).toBe(0);
    expect(evaluation(instance)).toMatchObject({
      error_type: 'multi_turn:instance_state_mismatch',
      error_message: 'Model instance for GorillaFileSystem does not match the state with ground truth instance.',
      failed_turn: 0,
    });
  });

  it('checker: read-only omissions are response mismatches, stray writes state mismatches, silent turns empty', () => {
    const dataset = loadBfclDataset(fixturesDir());
    const entry = dataset.entries.get('multi_turn_base_0')!;
    const gt = entry.groundTruth.map((turn) => [turn.map(({ call }) => call)]);
    const options = { longContext: undefined };
    expect(checkEntry(entry, gt, options)).toEqual({ valid: true });
    // turn 1 is a single grep: replace it with a harmless ls so the turn is not empty
    const noGrep = gt.map((steps, turn) => (turn === 1 ? [[{ name: 'ls', args: [], kwargs: [] }]] : steps));
    expect(checkEntry(entry, noGrep, options)).toMatchObject({
      valid: false,
      errorType: 'multi_turn:execution_response_mismatch',
      turn: 1,
      details: { missing_items: ['{"matching_lines": ["basil needs water"]}'] },
    });
    const strayTouch = gt.map((steps, turn) => (turn === 1 ? [...steps, [{ name: 'touch', args: [], kwargs: [['file_name', 'x.txt']] as [string, string][] }]] : steps));
    expect(checkEntry(entry, strayTouch, options)).toMatchObject({ errorType: 'multi_turn:instance_state_mismatch', turn: 1 });
    const silent = gt.map((steps, turn) => (turn === 2 ? [] : steps));
    expect(checkEntry(entry, silent, options)).toMatchObject({ errorType: 'multi_turn:empty_turn_model_response', errorMessage: 'Model response list is empty for turn 2' });
    // calls split across steps, and extra read-only calls, still pass
    const split = gt.map((steps) => steps.flatMap((step) => step.map((call) => [call, { name: 'pwd', args: [], kwargs: [] }])));
    expect(checkEntry(entry, split, options)).toEqual({ valid: true });
  });

  it('grades live episodes exactly as a replay of the same answer, for every single-call omission', () => {
    const rows = dropEachCall(env);
    expect(rows.length).toBeGreaterThan(40);
    expect(rows.filter((row) => row.live !== row.replay || row.liveTurn !== row.replayTurn)).toEqual([]);
    expect(rows.filter((row) => row.replay === 'valid')).toEqual([]);
  });

  it('resolves task ids by id or line index, and names unknown ones', async () => {
    expect(env.entry('6').id).toBe('multi_turn_miss_func_0');
    expect(() => env.createInstance({ taskId: 'multi_turn_base_99', instanceId: 'i', params: {} })).toThrow(/has no task "multi_turn_base_99"/);
  });
});

describe('bfcl data loading', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bfcl-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function copyFixtures(target: string): void {
    mkdirSync(target, { recursive: true });
    cpSync(fixturesDir(), target, { recursive: true });
  }

  it('says what is wrong with a bad data directory', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return isSandboxEvalError(error) ? `${error.code}: ${error.message}` : String(error);
      }
      return 'no error';
    };
    expect(codeOf(() => loadBfclDataset(join(dir, 'missing')))).toMatch(/^SE_BFCL_DATA: .*does not exist/);
    const v3 = join(dir, 'v3');
    mkdirSync(v3);
    writeFileSync(join(v3, 'BFCL_v3_multi_turn_base.json'), '');
    expect(codeOf(() => loadBfclDataset(v3))).toMatch(/^SE_BFCL_DATA: .*BFCL v3 files/);
    const noAnswers = join(dir, 'no-answers');
    copyFixtures(noAnswers);
    rmSync(join(noAnswers, 'possible_answer', 'BFCL_v4_multi_turn_base.json'));
    expect(codeOf(() => loadBfclDataset(noAnswers))).toMatch(/^SE_BFCL_DATA: Missing BFCL data file .*possible_answer/);
  });

  it('refuses long_context without BFCL\'s filler, and loads it from a checkout layout', async () => {
    const checkout = join(dir, 'gorilla', 'bfcl_eval');
    const data = join(checkout, 'data');
    copyFixtures(data);
    const base = readFileSync(join(fixturesDir(), 'BFCL_v4_multi_turn_base.json'), 'utf8').replaceAll('multi_turn_base_', 'multi_turn_long_context_');
    const answers = readFileSync(join(fixturesDir(), 'possible_answer', 'BFCL_v4_multi_turn_base.json'), 'utf8').replaceAll('multi_turn_base_', 'multi_turn_long_context_');
    writeFileSync(join(data, 'BFCL_v4_multi_turn_long_context.json'), base);
    writeFileSync(join(data, 'possible_answer', 'BFCL_v4_multi_turn_long_context.json'), answers);
    expect(() => loadBfclEnvironment({ dataDir: data })).toThrow(expect.objectContaining({ code: 'SE_BFCL_LONG_CONTEXT' }));

    // a stand-in filler module written for this test (BFCL's real one is not part of this project)
    const source = join(checkout, 'eval_checker', 'multi_turn_eval', 'func_source_code');
    mkdirSync(source, { recursive: true });
    writeFileSync(
      join(source, 'long_context.py'),
      [
        "WATCH_LIST_EXTENSION = ['AAA', 'BBB']",
        "TRANSACTION_HISTORY_EXTENSION = [{'type': 'deposit', 'amount': 1.5, 'timestamp': '2024-01-01 00:00:00.000001'}]",
        'MA_5_EXTENSION = [1.0, 2.0]',
        'MA_20_EXTENSION = [3.0]',
        "TECHNOLOGY_EXTENSION = ['TECHX']",
        "AUTOMOBILE_EXTENSION = ['AUTOX']",
        "ORDER_DETAIL_EXTENSION = {'note': 'About {symbol} {{literal}}'}",
        "FILE_CONTENT_EXTENSION = ' [filler]'",
        "POPULATE_FILE_EXTENSION = ['image_1.jpg', 'image_2.jpg']",
        "FILES_TAIL_USED = ['todo.txt']",
        "CAR_STATUS_METADATA_EXTENSION = 'car metadata'",
        "LONG_WEATHER_EXTENSION = {'-1_day': 'sunny'}",
        "PARKING_BRAKE_INSTRUCTION = 'pull the lever'",
        "INTERMEDIARY_CITIES = ['Midtown']",
        "CREDIT_CARD_EXTENSION = {'x1': {'balance': 5.0}}",
        "BOOKING_RECORD_EXTENSION = {'bk1': {'card_id': 'x1', 'travel_cost': 1.0}}",
      ].join('\n'),
    );
    const longEnv = loadBfclEnvironment({ dataDir: data });
    expect(longEnv.splits()).toContain('multi_turn_long_context');
    const { reward } = await runEpisode(longEnv, 'multi_turn_long_context_0', longEnv.agents.oracle!);
    expect(reward).toBe(1);
    const instance = await longEnv.createInstance({ taskId: 'multi_turn_long_context_0', instanceId: 'i', params: {} });
    const step = await instance.step({ role: 'assistant', content: "[cd(folder='notes'), cat(file_name='garden.txt'), cat(file_name='todo.txt'), ls()]" }, {});
    expect(step.state[0]!.content).toContain('"file_content": "tomatoes need sun\\nbasil needs water\\nmint spreads fast [filler]"');
    expect(step.state[0]!.content).toContain('"file_content": "buy seeds\\nfix the fence"');
    expect(step.state[0]!.content).toContain('"current_directory_content": ["garden.txt", "todo.txt", "image_1.jpg", "image_2.jpg"]');
    const trading = await longEnv.createInstance({ taskId: 'multi_turn_long_context_3', instanceId: 'i', params: {} });
    const quote = await trading.step({ role: 'assistant', content: "[trading_login(username='kim', password='k1m!'), get_watchlist(), get_order_details(order_id=500)]" }, {});
    expect(quote.state[0]!.content).toContain(`"content": "['AAPL', 'AAA', 'BBB']"`);
    expect(quote.state[0]!.content).toContain('"metadata": {"note": "About AAPL {literal}"}');
  });
});

describe('BfclEnvironment', () => {
  it('is constructible from a loaded data set (for servers that preload)', () => {
    const direct = new BfclEnvironment(loadBfclDataset(fixturesDir()));
    expect(direct.taskIds('multi_turn_base')).toHaveLength(6);
  });
});
