import { describe, expectTypeOf, it } from 'vitest';
import {
  defineConfig,
  defineEnvironment,
  defineEval,
  type Agent,
  type AgentContext,
  type EvalSuite,
  type Message,
  type Reporter,
  type RunSummary,
  type Sandbox,
  type SandboxProvider,
  type TaskResult,
} from '../src/index.js';

describe('public types', () => {
  it('defineEval takes a suite and returns it', () => {
    const suite = defineEval({ name: 's', dataset: 'guess', split: 'val', agent: 'oracle', thresholds: { meanReward: 0.5 } });
    expectTypeOf(suite).toEqualTypeOf<EvalSuite>();
    // @ts-expect-error a suite needs a split
    defineEval({ name: 's', dataset: 'guess', agent: 'oracle' });
    // @ts-expect-error thresholds are numbers
    defineEval({ name: 's', dataset: 'guess', split: 'val', agent: 'oracle', thresholds: { meanReward: 'high' } });
  });

  it('an agent gets the context and answers a message or a string, sync or async', () => {
    expectTypeOf<Parameters<Agent>[0]>().toEqualTypeOf<AgentContext>();
    expectTypeOf<AgentContext['signal']>().toEqualTypeOf<AbortSignal>();
    const sync: Agent = () => 'text';
    const async: Agent = async ({ messages }) => ({ role: 'assistant', content: messages.at(-1)?.content ?? '' });
    expectTypeOf(sync).toMatchTypeOf<Agent>();
    expectTypeOf(async).toMatchTypeOf<Agent>();
    // @ts-expect-error an agent must answer something
    const bad: Agent = () => 42;
    void bad;
  });

  it('config and environments are typed', () => {
    defineConfig({ concurrency: 4, provider: 'remote', urls: ['http://127.0.0.1:8080'], reporters: ['default', { name: 'json', outputFile: 'r.json' }] });
    // @ts-expect-error unknown provider
    defineConfig({ provider: 'kubernetes' });
    defineEnvironment({ name: 'e', description: 'd', load: () => ({ name: 'e', splits: () => [], taskIds: () => [], createInstance: () => { throw new Error('no'); } }) });
  });

  it('reporter hooks are optional and receive read-only values', () => {
    const reporter: Reporter = {};
    expectTypeOf(reporter.onTaskEnd).parameter(0).toEqualTypeOf<Readonly<TaskResult>>();
    expectTypeOf(reporter.onRunEnd).parameter(0).toEqualTypeOf<Readonly<RunSummary>>();
  });

  it('a provider hands out Sandboxes', () => {
    expectTypeOf<ReturnType<SandboxProvider['acquire']>>().toEqualTypeOf<Promise<Sandbox>>();
    expectTypeOf<Parameters<Sandbox['step']>[0]['action']>().toEqualTypeOf<Message>();
  });
});
