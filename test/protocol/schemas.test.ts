import { describe, expect, it } from 'vitest';
import {
  ENDPOINTS,
  errorReplySchema,
  evaluationResultSchema,
  formatZodError,
  initialStateSchema,
  messageSchema,
  requestEnvelopeSchema,
  stepResultSchema,
  successReplySchema,
  taskIdsSchema,
} from '../../src/protocol/schemas.js';

function problem(schema: { safeParse(value: unknown, params: { reportInput: boolean }): { success: boolean; error?: unknown } }, value: unknown, root?: string): string {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) throw new Error('expected the value to be refused');
  return formatZodError(parsed.error as never, root === undefined ? {} : { root });
}

describe('request envelope', () => {
  it('fills the defaults of the five keys and drops unknown keys', () => {
    expect(requestEnvelopeSchema.parse({})).toEqual({ env_type: 'appworld', task_id: null, instance_id: null, messages: {}, params: {} });
    expect(requestEnvelopeSchema.parse({ env_type: 'default', instance_id: 'i', surprise: 1 })).toEqual({
      env_type: 'default',
      task_id: null,
      instance_id: 'i',
      messages: {},
      params: {},
    });
    expect(requestEnvelopeSchema.parse({ env_type: null }).env_type).toBeNull();
  });

  it('refuses null or array messages/params, naming the field, the expectation and the value', () => {
    expect(problem(requestEnvelopeSchema, { messages: null })).toBe('Expected `messages` to be an object, got `null` (null)');
    expect(problem(requestEnvelopeSchema, { params: [1] })).toBe('Expected `params` to be an object, got `[1]` (array)');
    expect(problem(requestEnvelopeSchema, { task_id: 5, instance_id: false })).toBe(
      'Expected `task_id` to be a string, got `5` (number); Expected `instance_id` to be a string, got `false` (boolean)',
    );
  });
});

describe('messages', () => {
  it('accepts an action with OpenAI tool calls and keeps extra fields', () => {
    const action = { role: 'assistant', content: '', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }], extra: 1 };
    expect(messageSchema.parse(action)).toEqual(action);
  });

  it('names nested fields, enum values and missing keys', () => {
    expect(problem(messageSchema, { role: 'robot', content: 'x' }, 'messages')).toBe(
      'Expected `messages.role` to be one of "system", "user", "assistant", "tool", got `"robot"` (string)',
    );
    expect(problem(messageSchema, { role: 'user' }, 'messages')).toBe('Missing `messages.content`: expected a string');
    expect(problem(messageSchema, { role: 'user', content: '', tool_calls: [{ id: 1 }] })).toContain('Expected `tool_calls[0].id` to be a string, got `1` (number)');
    expect(problem(messageSchema, null)).toBe('Expected `(body)` to be an object, got `null` (null)');
  });
});

describe('answers', () => {
  it('accepts AgentScope shapes: init info with extra fields, step state with tool_calls []', () => {
    const init = { state: [{ role: 'system', content: 's' }], info: { instance_id: 'i', task_id: 't', tools_count: 3 } };
    expect(initialStateSchema.parse(init)).toEqual(init);
    const step = { state: [{ role: 'user', content: 'o', tool_calls: [] }], reward: 0, is_terminated: false, info: {} };
    expect(stepResultSchema.parse(step)).toEqual(step);
    expect(stepResultSchema.parse({ ...step, info: undefined })).toMatchObject({ info: {} });
  });

  it('refuses answers missing what clients rely on', () => {
    expect(problem(initialStateSchema, { state: [], info: { task_id: 't' } })).toBe('Missing `info.instance_id`: expected a string');
    expect(problem(stepResultSchema, { state: [], reward: '1', is_terminated: false })).toBe('Expected `reward` to be a number, got `"1"` (string)');
    expect(problem(evaluationResultSchema, 'high')).toBe('`(body)`: expected a number or an object, got `"high"` (string)');
    expect(problem(successReplySchema(taskIdsSchema), { success: true, data: [1] })).toBe('Expected `data[0]` to be a string, got `1` (number)');
  });

  it('reads both error detail forms', () => {
    expect(errorReplySchema.parse({ detail: 'Instance x not found!' })).toEqual({ detail: 'Instance x not found!' });
    expect(errorReplySchema.parse({ detail: [{ loc: ['body'], msg: 'bad' }], code: 'SE_X' }).code).toBe('SE_X');
  });

  it('lists the endpoints', () => {
    expect(Object.values(ENDPOINTS).sort()).toEqual(['/create', '/evaluate', '/get_env_profile', '/get_info', '/healthz', '/metrics', '/release', '/step']);
  });
});
