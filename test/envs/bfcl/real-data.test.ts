import { describe, expect, it } from 'vitest';
import { checkEntry } from '../../../src/envs/bfcl/checker.js';
import { BackendSet } from '../../../src/envs/bfcl/executor.js';
import { loadBfclEnvironment } from '../../../src/envs/bfcl/index.js';
import type { BfclEvaluation } from '../../../src/envs/bfcl/instance.js';
import { parseCall } from '../../../src/envs/bfcl/python/literal.js';
import { bfclDataDir, dropEachCall, runEpisode } from './helpers.js';

// The real BFCL v4 base category, read from BFCL_DATA_DIR (never copied into the project).
const dataDir = bfclDataDir();

describe.skipIf(!dataDir)('bfcl on the real BFCL v4 data (BFCL_DATA_DIR)', () => {
  const env = dataDir ? loadBfclEnvironment({ dataDir }) : undefined!;

  it('the oracle scores 200/200 on multi_turn_base through the Environment API', async () => {
    const ids = env.taskIds('multi_turn_base');
    expect(ids).toHaveLength(200);
    const failed: string[] = [];
    for (const id of ids) {
      const { reward, instance } = await runEpisode(env, id, env.agents.oracle!);
      if (reward !== 1) failed.push(`${id}: ${(instance.evaluate({}, {}) as BfclEvaluation).error_message}`);
    }
    expect(failed).toEqual([]);
    expect(env.taskIds('train')).toEqual(ids.slice(0, 100));
    expect(env.taskIds('val')).toEqual(ids.slice(100));
  });

  it('does not offer excluded functions, which stay callable', async () => {
    const instance = await env.createInstance({ taskId: 'multi_turn_base_0', instanceId: 'x', params: {} });
    const names = instance.initial.tools!.map((tool) => tool.function.name);
    expect(names).toHaveLength(14 + 18 - 1);
    expect(names).not.toContain('cp');
    expect(names.slice(0, 2)).toEqual(['authenticate_twitter', 'comment']);
    const result = await instance.step({ role: 'assistant', content: "[cd(folder='document'), cp(source='final_report.pdf', destination='copy.pdf')]" }, {});
    expect(result.state[0]!.content).toContain(`"content": {"result": "'final_report.pdf' copied to 'copy.pdf'"}`);
  });

  it('ground truth never errors; 16 results are legitimate negative outcomes', () => {
    let negatives = 0;
    const errors: string[] = [];
    for (const id of env.taskIds('test')) {
      const entry = env.entry(id);
      const backends = new BackendSet({ involvedClasses: entry.involvedClasses, initialConfig: entry.initialConfig, longContext: undefined });
      for (const turn of entry.groundTruth) {
        for (const { source, call } of turn) {
          const result = backends.execute(call);
          if (result.includes('Error during execution') || result.includes('"error"')) errors.push(`${id} ${source}: ${result}`);
          if (/"(canDrive|verification_status|authentication_status)": false/.test(result)) negatives += 1;
        }
      }
    }
    expect(errors).toEqual([]);
    expect(negatives).toBe(16);
  });

  it('leaving out a state-changing call is a state mismatch, a read-only one a response mismatch', async () => {
    const entry = env.entry('multi_turn_base_0');
    const gt = entry.groundTruth.map((turn) => [turn.map(({ call }) => call)]);
    // turn 0: cd, mkdir, mv -> drop mkdir
    const noMkdir = gt.map((steps, turn) => (turn === 0 ? [steps[0]!.filter((call) => call.name !== 'mkdir')] : steps));
    expect(checkEntry(entry, noMkdir, { longContext: undefined })).toMatchObject({ valid: false, errorType: 'multi_turn:instance_state_mismatch', turn: 0 });
    // turn 1: cd, grep -> drop grep (read-only)
    const noGrep = gt.map((steps, turn) => (turn === 1 ? [steps[0]!.filter((call) => call.name !== 'grep')] : steps));
    expect(checkEntry(entry, noGrep, { longContext: undefined })).toMatchObject({ valid: false, errorType: 'multi_turn:execution_response_mismatch', turn: 1 });

    // the same through the environment, with a scripted agent replaying the ground truth minus mkdir
    const turns = entry.groundTruth.map((turn) => turn.filter(({ call }) => call.name !== 'mkdir').map(({ source }) => source));
    const actions = turns.flatMap((sources) => [`[${sources.join(', ')}]`, 'ok']);
    let next = 0;
    const { reward, instance } = await runEpisode(env, entry.id, () => actions[next++] ?? 'ok');
    expect(reward).toBe(0);
    expect(instance.evaluate({}, {})).toMatchObject({ error_type: 'multi_turn:instance_state_mismatch', failed_turn: 0 });
  });

  it('removing any single ground-truth call fails the entry, graded the same live and by replay', () => {
    const rows = dropEachCall(env);
    expect(rows).toHaveLength(1142);
    expect(rows.filter((row) => row.live !== row.replay || row.liveTurn !== row.replayTurn)).toEqual([]);
    // one call's result string is also produced by another call of the answer, so dropping it passes
    expect(rows.filter((row) => row.replay === 'valid').map((row) => `${row.id}/${row.turn}`)).toEqual(['multi_turn_base_113/1']);
    const kinds = new Set(rows.map((row) => row.replay));
    expect(kinds).toEqual(new Set(['valid', 'multi_turn:instance_state_mismatch', 'multi_turn:execution_response_mismatch', 'multi_turn:empty_turn_model_response']));
  });

  it('reproduces the spot values of the spec', () => {
    const run = (id: string, upTo: string) => {
      const entry = env.entry(id);
      const backends = new BackendSet({ involvedClasses: entry.involvedClasses, initialConfig: entry.initialConfig, longContext: undefined });
      for (const turn of entry.groundTruth) for (const { source, call } of turn) {
        const result = backends.execute(call);
        if (source.startsWith(upTo)) return result;
      }
      throw new Error(`${upTo} not in ${id}`);
    };
    const base0 = env.entry('multi_turn_base_0');
    expect(new BackendSet({ involvedClasses: base0.involvedClasses, initialConfig: base0.initialConfig, longContext: undefined }).execute(parseCall('pwd()'))).toBe(
      '{"current_working_directory": "/workspace"}',
    );
    expect(run('multi_turn_base_32', 'logarithm(')).toBe("{'result': mpf('2.0')}");
    expect(run('multi_turn_base_49', 'logarithm(')).toBe("{'result': mpf('1.3027')}");
    expect(run('multi_turn_base_15', 'mean(')).toBe('{"result": 26.333333333333332}');
    expect(run('multi_turn_base_14', 'send_message(')).toContain('"message_id": {"new_id": 67410}');
  });
});
