import { existsSync } from 'node:fs';
import type { Agent } from '../../../src/agents/types.js';
import { checkEntry } from '../../../src/envs/bfcl/checker.js';
import type { BfclEnvironment } from '../../../src/envs/bfcl/index.js';
import type { BfclEvaluation } from '../../../src/envs/bfcl/instance.js';
import { toolCallBlock } from '../../../src/envs/bfcl/oracle.js';
import type { Environment } from '../../../src/envs/types.js';
import type { Message, StepResult, ToolSpec } from '../../../src/protocol/messages.js';
import { BackendSet } from '../../../src/envs/bfcl/executor.js';
import type { LongContextFiller } from '../../../src/envs/bfcl/long-context.js';
import { parsePyJson } from '../../../src/envs/bfcl/python/json.js';
import { parseCall } from '../../../src/envs/bfcl/python/literal.js';
import { pyRepr } from '../../../src/envs/bfcl/python/repr.js';
import { isDict } from '../../../src/envs/bfcl/python/values.js';

/** One backend class loaded from a JSON scenario; `run` executes a Python call string as BFCL would. */
export function backend(className: string, scenario = '{}', longContext?: LongContextFiller) {
  const config = parsePyJson(scenario);
  if (!isDict(config)) throw new Error('scenario must be a JSON object');
  const set = new BackendSet({ involvedClasses: [className], initialConfig: new Map([[className, config]]), longContext });
  return {
    run: (call: string) => set.execute(parseCall(call)),
    /** repr of one public attribute, as the checker sees it */
    state(attribute: string): string {
      const found = set.states()[0]!.attributes.find(([name]) => name === attribute);
      if (!found) throw new Error(`no public attribute ${attribute}`);
      return pyRepr(found[1]);
    },
  };
}

/** The real BFCL data directory from BFCL_DATA_DIR, or undefined (tests then skip loudly). */
export function bfclDataDir(): string | undefined {
  const dir = process.env.BFCL_DATA_DIR;
  if (!dir) {
    console.warn('SKIPPED: BFCL real-data tests need BFCL_DATA_DIR (e.g. BFCL_DATA_DIR=../shared/data/bfcl); CI sets it.');
    return undefined;
  }
  if (!existsSync(dir)) throw new Error(`BFCL_DATA_DIR=${dir} does not exist`);
  return dir;
}

/** Drives one episode through the Environment API with an agent, as the runner would. */
export async function runEpisode(env: Environment, taskId: string, agent: Agent, params: Record<string, unknown> = {}, maxSteps = 400) {
  const instance = await env.createInstance({ taskId, instanceId: `test-${taskId}`, params });
  const messages: Message[] = [...instance.initial.state];
  let tools: readonly ToolSpec[] | undefined = instance.initial.tools;
  const results: StepResult[] = [];
  for (let step = 0; step < maxSteps; step += 1) {
    const reply = await agent({ messages, tools, task: { dataset: 'bfcl', split: 'test', id: taskId, trial: 0 }, step, signal: new AbortController().signal });
    const action: Message = typeof reply === 'string' ? { role: 'assistant', content: reply } : reply;
    messages.push(action);
    const result = await instance.step(action, {});
    results.push(result);
    messages.push(...result.state);
    if (result.tools) tools = result.tools;
    if (result.is_terminated) return { instance, messages, results, reward: result.reward };
  }
  throw new Error(`${taskId} did not terminate in ${maxSteps} steps`);
}

/**
 * For every ground-truth call of every entry: answer with the ground truth minus that call, both
 * live through an instance and by replay through `checkEntry`, and report how each was graded.
 */
export function dropEachCall(env: BfclEnvironment): Array<{ id: string; turn: number; index: number; live: string; liveTurn: unknown; replay: string; replayTurn: unknown }> {
  const rows = [];
  for (const id of env.taskIds('test')) {
    const entry = env.entry(id);
    for (let turn = 0; turn < entry.groundTruth.length; turn += 1) {
      for (let index = 0; index < entry.groundTruth[turn]!.length; index += 1) {
        const kept = entry.groundTruth.map((calls, t) => calls.filter((_, j) => !(t === turn && j === index)));
        const replay = checkEntry(entry, kept.map((calls) => [calls.map(({ call }) => call)]), { longContext: env.dataset.longContext });
        const instance = env.createInstance({ taskId: id, instanceId: 'drop', params: {} });
        for (const calls of kept) {
          if (calls.length > 0) instance.step({ role: 'assistant', content: calls.map((call) => toolCallBlock(entry, call)).join('\n') });
          instance.step({ role: 'assistant', content: 'ok' });
        }
        const live = instance.evaluate({}, {}) as BfclEvaluation;
        rows.push({ id, turn, index, live: live.error_type ?? 'valid', liveTurn: live.failed_turn, replay: replay.errorType ?? 'valid', replayTurn: replay.turn });
      }
    }
  }
  return rows;
}
