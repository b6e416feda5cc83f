import { describe, expect, it } from 'vitest';
import { decodeAction, decodePythonCalls } from '../../../src/envs/bfcl/calls.js';
import { callText } from '../../../src/envs/bfcl/executor.js';
import { loadBfclEnvironment } from '../../../src/envs/bfcl/index.js';

const names = (content: string) => decodePythonCalls(content)?.map(callText);

describe("BFCL's prompting decoder", () => {
  it('wraps, strips backticks and keeps only keyword arguments', () => {
    expect(names("[cd(folder='document'), ls()]")).toEqual(["cd(folder='document')", 'ls()']);
    expect(names("cd(folder='x')")).toEqual(["cd(folder='x')"]);
    expect(names("```\n[sort('a.txt')]\n```")).toEqual(['sort()']);
    expect(names('[f(x=1+2, y=-3.5, z=name)]')).toEqual(["f(x=3, y=-3.5, z='name')"]);
  });

  it('fails like BFCL on fenced python, prose and non-calls', () => {
    expect(names("```python\n[ls()]\n```")).toBeUndefined();
    expect(names('[ls()] and then some')).toBeUndefined();
    expect(names('I have finished the task.')).toBeUndefined();
    expect(names('[1, ls()]')).toBeUndefined();
    expect(names('[]')).toEqual([]);
  });
});

describe('decodeAction', () => {
  it('prefers OpenAI tool_calls, then <tool_call> blocks, then a Python list', () => {
    expect(decodeAction({ role: 'assistant', content: '[ls()]', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'pwd', arguments: '' } }] })).toEqual({
      format: 'tool_calls',
      calls: [{ id: 'c1', call: { name: 'pwd', args: [], kwargs: [] } }],
    });
    expect(decodeAction({ role: 'assistant', content: 'x <tool_call>{"name": "ls", "arguments": {}}</tool_call> [pwd()]' })?.format).toBe('tool_call_tags');
    expect(decodeAction({ role: 'assistant', content: '<tool_call>{"name": "ls"}</tool_call>' })).toBeUndefined();
    expect(decodeAction({ role: 'assistant', content: 'plain text' })).toBeUndefined();
  });

  it('drops a tool_calls step with undecodable arguments and says so to every call id', async () => {
    const decoded = decodeAction({
      role: 'assistant',
      content: '',
      tool_calls: [
        { id: 'ok', type: 'function', function: { name: 'ls', arguments: '{}' } },
        { id: 'bad', type: 'function', function: { name: 'cd', arguments: '{folder: x' } },
      ],
    });
    expect(decoded).toMatchObject({ calls: [], rejected: [{ id: 'ok' }, { id: 'bad', reason: 'the arguments of cd are not a JSON object' }] });
    const env = loadBfclEnvironment();
    const instance = await env.createInstance({ taskId: 'multi_turn_base_1', instanceId: 'i', params: {} });
    const result = await instance.step({ role: 'assistant', content: '', tool_calls: [{ id: 'bad', type: 'function', function: { name: 'cd', arguments: 'nope' } }] }, {});
    expect(result.state).toEqual([
      { role: 'tool', tool_call_id: 'bad', content: 'Not executed: the arguments of cd are not a JSON object; the step was dropped and the turn ended.' },
      { role: 'user', content: 'My three harvests weighed 3, 16 and 60 kilos; what is the average?' },
    ]);
  });

  it('runs unknown and blocked names into BFCL error strings', async () => {
    const env = loadBfclEnvironment();
    const instance = await env.createInstance({ taskId: 'multi_turn_base_1', instanceId: 'i', params: { observation_format: 'bfcl' } });
    const result = await instance.step({ role: 'assistant', content: '[exit(), launch_rocket(speed=1)]' }, {});
    expect(result.state[0]!.content).toBe(
      `[{'role': 'tool', 'name': 'exit()', 'content': 'Error during execution: Function call exit is not allowed.'}, {'role': 'tool', 'name': 'launch_rocket(speed=1)', 'content': "Error during execution: name 'launch_rocket' is not defined"}]`,
    );
  });
});
