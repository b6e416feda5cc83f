import { describe, expect, it } from 'vitest';
import type { Agent } from '../../../src/agents/types.js';
import { builtinEnvironments } from '../../../src/envs/builtins.js';
import { EnvironmentRegistry } from '../../../src/envs/registry.js';
import type { Environment, EnvInstance } from '../../../src/envs/types.js';
import { actionText } from '../../../src/envs/webshop/environment.js';
import { optionsNamedIn, searchKeywords } from '../../../src/envs/webshop/agents.js';
import type { Message, StepResult } from '../../../src/protocol/messages.js';
import { smallEnvironment } from './helpers.js';

const say = (content: string): Message => ({ role: 'assistant', content });

describe('the webshop Environment', () => {
  const env = smallEnvironment();

  it('lists splits and task ids, and names unknown ones', () => {
    expect(env.name).toBe('webshop');
    expect(env.splits()).toEqual(['train', 'val', 'test']);
    // two goals: test and val get 20% each (0), train the rest
    expect(env.taskIds('train')).toEqual(['webshop_0', 'webshop_1']);
    expect(env.taskIds('test')).toEqual([]);
    expect(() => env.taskIds('dev')).toThrow(expect.objectContaining({ code: 'SE_UNKNOWN_SPLIT' }));
    expect(() => env.createInstance({ taskId: 'webshop_9', instanceId: 'i', params: {} })).toThrow(expect.objectContaining({ code: 'SE_UNKNOWN_TASK' }));
    expect(() => env.createInstance({ taskId: 'shop_0', instanceId: 'i', params: {} })).toThrow(expect.objectContaining({ code: 'SE_UNKNOWN_TASK' }));
  });

  it('starts on the search page, with the instruction and the available actions in info', () => {
    const instance = env.createInstance({ taskId: 'webshop_0', instanceId: 'abc', params: {} });
    expect(instance.initial.state[0]!.role).toBe('system');
    expect(instance.initial.state[1]).toEqual({
      role: 'user',
      content: 'WebShop [SEP] Instruction: [SEP] i want a slim fit dress shirt in dark brown, size x-large, and price lower than 40.00 dollars [SEP] Search',
    });
    expect(instance.initial.info).toMatchObject({
      instance_id: 'abc',
      task_id: 'webshop_0',
      page: 'search',
      available_actions: { has_search_bar: true, clickables: ['search'] },
    });
    expect(instance.initial.tools?.map((tool) => tool.function.name)).toEqual(['search', 'click']);
  });

  it('plays an episode: info at every step, reward only on buying, detail in info and evaluate', async () => {
    const instance = env.createInstance({ taskId: 'webshop_0', instanceId: 'x', params: {} });
    expect(await instance.evaluate({}, {})).toEqual({ reward: 0, purchased: false, goal_asin: 'B0SHIRT001' });
    const steps: StepResult[] = [];
    for (const action of ['search[slim fit dress shirt]', 'click[b0shirt001]', 'click[dark brown]', 'click[x-large]']) {
      steps.push(await instance.step(say(action), {}));
    }
    for (const step of steps) {
      expect(step).toMatchObject({ reward: 0, is_terminated: false, info: { valid: true } });
      expect(step.info.available_actions).toBeDefined();
    }
    expect(steps[0]!.info).toMatchObject({ page: 'results', available_actions: { has_search_bar: false, clickables: ['back to search', 'next >', 'b0shirt001', 'b0shirt002'] } });
    expect(steps[3]!.state).toEqual([{ role: 'user', content: expect.stringMatching(/^Instruction: .* \[SEP\] Buy Now$/) }]);

    const bought = await instance.step(say('click[buy now]'), {});
    expect(bought.is_terminated).toBe(true);
    // attributes 1/1, options 2/2, price 24.99 <= 40: (1 + 2 + 1) / 4, type 1
    expect(bought.reward).toBe(1);
    expect(bought.state[0]!.content).toContain('options [SEP] {"color": "dark brown", "size": "x-large"} [SEP]');
    expect(bought.info).toMatchObject({ page: 'done', available_actions: { has_search_bar: false, clickables: [] } });
    expect(bought.info.reward_details).toMatchObject({ reward: 1, r_type: 1, r_att: 1, r_option: 1, r_price: true, asin: 'B0SHIRT001', price: 24.99 });

    expect(await instance.evaluate({}, { sparse: true })).toBe(1);
    expect(await instance.evaluate({}, {})).toMatchObject({ reward: 1, purchased: true, goal_asin: 'B0SHIRT001', options: { color: 'dark brown', size: 'x-large' } });

    const after = await instance.step(say('search[more]'), {});
    expect(after).toMatchObject({ reward: 0, is_terminated: true, info: { valid: false } });
    expect(after.state[0]!.content).toMatch(/^Invalid action: the episode has ended/);
  });

  it('answers an invalid action with the reason, the valid actions and the unchanged page', async () => {
    const instance = env.createInstance({ taskId: 'webshop_1', instanceId: 'x', params: {} });
    const page = instance.initial.state[1]!.content;
    const step = await instance.step(say('click[buy now]'), {});
    expect(step).toMatchObject({ reward: 0, is_terminated: false, info: { valid: false, page: 'search' } });
    expect(step.state[0]!.content).toBe(`Invalid action: "buy now" is not clickable on this page. Available actions: search[<keywords>], click[search]. The page is unchanged:\n\n${page}`);
  });

  it('buys a cheaper mismatch for a lower reward', async () => {
    const instance = env.createInstance({ taskId: 'webshop_1', instanceId: 'x', params: {} });
    for (const action of ['search[green tea]', 'click[b0tea00004]', 'click[mint]']) await instance.step(say(action), {});
    const bought = await instance.step(say('click[buy now]'), {});
    // goal: tea tree oil. Tea bags: no attribute match ("tea tree" is not in the tea's text), price ok;
    // nouns {pinecrest, green, tea, bags} vs target [lumora, tea, tree, essential, oil]: 1/5 = 0.2 -> r_type 0.5
    expect(bought.info.reward_details).toMatchObject({ num_attr_matches: 0, title_score: 0.2, r_type: 0.5, r_price: true });
    expect(bought.reward).toBeCloseTo((0 + 0 + 1) / 3 * 0.5);
  });
});

describe('actions in messages', () => {
  it('reads plain content, the last "Action:" line, and search/click tool calls', () => {
    expect(actionText(say('  search[red shoes]  '))).toEqual({ text: 'search[red shoes]' });
    expect(actionText(say('Thought: the first one.\nAction: click[b0shirt001]\n'))).toEqual({ text: 'click[b0shirt001]' });
    expect(actionText(say('Action: search[a]\nAction: click[b]'))).toEqual({ text: 'click[b]' });
    const call = (name: string, args: string): Message => ({
      role: 'assistant',
      content: '',
      tool_calls: [{ id: 'c1', type: 'function', function: { name, arguments: args } }],
    });
    expect(actionText(call('search', '{"keywords": "tea"}'))).toEqual({ text: 'search[tea]', toolCallId: 'c1' });
    expect(actionText(call('click', '{"target": "buy now"}'))).toEqual({ text: 'click[buy now]', toolCallId: 'c1' });
    expect(actionText(call('click', 'not json'))).toEqual({ text: 'click[]', toolCallId: 'c1' });
  });

  it('answers a tool call with a tool message', async () => {
    const instance = smallEnvironment().createInstance({ taskId: 'webshop_0', instanceId: 'x', params: {} });
    const step = await instance.step(
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_7', type: 'function', function: { name: 'search', arguments: '{"keywords":"shirt"}' } }] },
      {},
    );
    expect(step.state[0]).toMatchObject({ role: 'tool', tool_call_id: 'call_7', content: expect.stringMatching(/^Instruction:/) });
  });
});

describe('the rule agent\'s helpers', () => {
  it('drops the price clause from the search and finds option values the instruction names', () => {
    expect(searchKeywords('i want tea, and price lower than 30.00 dollars')).toBe('i want tea');
    expect(optionsNamedIn('a shirt in dark brown, size x-large', ['white', 'dark brown', 'large', 'x-large'])).toEqual([
      'dark brown', 'x-large',
    ]);
    expect(optionsNamedIn('with color: navy, and size: large', ['color', 'navy', 'size', 'large'])).toEqual(['navy', 'large']);
  });
});

async function runEpisode(env: Environment, agent: Agent, taskId: string, maxSteps = 30): Promise<{ reward: number; steps: number }> {
  const instance: EnvInstance = await env.createInstance({ taskId, instanceId: taskId, params: {} });
  const messages: Message[] = [...instance.initial.state];
  let steps = 0;
  for (; steps < maxSteps; steps += 1) {
    const answer = await agent({ messages, task: { dataset: 'webshop', split: 'test', id: taskId, trial: 0 }, step: steps, signal: new AbortController().signal });
    const action = typeof answer === 'string' ? say(answer) : answer;
    messages.push(action);
    const result = await instance.step(action, {});
    messages.push(...result.state);
    if (result.is_terminated) break;
  }
  return { reward: (await instance.evaluate({}, { sparse: true })) as number, steps: steps + 1 };
}

describe('end to end on the built-in catalogue, through the registry', () => {
  it('webshop-rule earns a meaningful mean reward on the test split; the oracle does at least as well', async () => {
    const env = await new EnvironmentRegistry(builtinEnvironments).load('webshop');
    const ids = env.taskIds('test');
    expect(ids.length).toBeGreaterThanOrEqual(50);
    const rule = [];
    const oracle = [];
    for (const id of ids) {
      rule.push(await runEpisode(env, env.agents!['webshop-rule']!, id));
      oracle.push(await runEpisode(env, env.agents!.oracle!, id));
    }
    const mean = (runs: { reward: number }[]) => runs.reduce((sum, run) => sum + run.reward, 0) / runs.length;
    expect(mean(rule)).toBeGreaterThan(0.5);
    expect(mean(rule)).toBeLessThan(1);
    expect(mean(oracle)).toBeGreaterThanOrEqual(mean(rule));
    expect(rule.every((run) => run.steps <= 10)).toBe(true);
  });
});
