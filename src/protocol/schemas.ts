import { z } from 'zod';
import { describeValue } from '../errors.js';
import type { EvaluationResult, InitialState, Message, StepResult, ToolCall, ToolSpec } from './messages.js';

/**
 * Zod schemas for the container protocol of the AgentScope training sandbox (spec §3), shared by our
 * server (checks requests) and our client (checks what a server answers). Unknown keys are ignored
 * on requests, as a lenient server should; answers keep extra fields, so later additions survive.
 */

/** Endpoint paths. Every one is POST except `/healthz` and our `/metrics` extension (GET). */
export const ENDPOINTS = {
  healthz: '/healthz',
  getEnvProfile: '/get_env_profile',
  create: '/create',
  step: '/step',
  evaluate: '/evaluate',
  getInfo: '/get_info',
  release: '/release',
  metrics: '/metrics',
} as const;

export type Endpoint = (typeof ENDPOINTS)[keyof typeof ENDPOINTS];

const jsonObject = z.record(z.string(), z.unknown());

/** The five-key envelope every POST carries (`ServiceRequest` upstream). */
export const requestEnvelopeSchema = z.object({
  env_type: z.string().nullable().default('appworld'),
  task_id: z.string().nullable().default(null),
  instance_id: z.string().nullable().default(null),
  messages: jsonObject.default({}),
  params: jsonObject.default({}),
});

export type RequestEnvelope = z.infer<typeof requestEnvelopeSchema>;

export const toolCallSchema: z.ZodType<ToolCall> = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

export const roleSchema = z.enum(['system', 'user', 'assistant', 'tool']);

/** A message, e.g. the action of `/step` (sent in the envelope's `messages` field). */
export const messageSchema: z.ZodType<Message> = z.looseObject({
  role: roleSchema,
  content: z.string(),
  tool_calls: z.array(toolCallSchema).optional(),
  tool_call_id: z.string().optional(),
});

/**
 * A message in an answer's `state`. Looser than an action: AgentScope's observations carry
 * `tool_calls: []` and may carry tool calls in shapes other than OpenAI's.
 */
const stateMessageSchema = z.looseObject({
  role: roleSchema,
  content: z.string(),
  tool_calls: z.array(z.unknown()).optional(),
  tool_call_id: z.string().optional(),
});

export const toolSpecSchema: z.ZodType<ToolSpec> = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string(),
    description: z.string().optional(),
    parameters: jsonObject.optional(),
  }),
});

export const initialStateSchema = z.looseObject({
  state: z.array(stateMessageSchema),
  info: z.looseObject({ instance_id: z.string(), task_id: z.string() }),
  tools: z.array(toolSpecSchema).optional(),
}) as unknown as z.ZodType<InitialState>;

export const stepResultSchema = z.looseObject({
  state: z.array(stateMessageSchema),
  reward: z.number(),
  is_terminated: z.boolean(),
  info: jsonObject.default({}),
  tools: z.array(toolSpecSchema).optional(),
}) as unknown as z.ZodType<StepResult>;

export const evaluationResultSchema: z.ZodType<EvaluationResult> = z.union([z.number(), jsonObject], {
  error: 'expected a number or an object',
});

export const taskIdsSchema = z.array(z.string());

/** `{success, data}`: every 200 answer of a POST endpoint. */
export function successReplySchema<T extends z.ZodType>(data: T) {
  return z.object({ success: z.boolean(), data });
}

/** `/release` answers `{success: bool, data: null}`. */
export const releaseReplySchema = z.object({ success: z.boolean(), data: z.unknown() });

/**
 * An error body. `detail` is a string (400/500, and ours everywhere) or FastAPI's list of validation
 * errors (422). `code` is our SE_ code; AgentScope's containers do not send it.
 */
export const errorReplySchema = z.looseObject({
  detail: z.union([z.string(), z.array(z.unknown())]),
  code: z.string().optional(),
});

export type ErrorReply = z.infer<typeof errorReplySchema>;

const NOUNS: Record<string, string> = {
  record: 'an object',
  object: 'an object',
  array: 'an array',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  null: 'null',
};

/** `messages.tool_calls[0].function`: a zod path as a reader would write it. */
function pathText(path: readonly PropertyKey[], root: string | undefined): string {
  let text = root ?? '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text ? `.${String(key)}` : String(key);
  }
  return text || '(body)';
}

function describeIssue(issue: z.core.$ZodIssue, root: string | undefined): string {
  const field = `\`${pathText(issue.path, root)}\``;
  const missing = !('input' in issue) || issue.input === undefined;
  if (issue.code === 'invalid_type') {
    const expected = NOUNS[issue.expected] ?? issue.expected;
    return missing ? `Missing ${field}: expected ${expected}` : `Expected ${field} to be ${expected}, got ${describeValue(issue.input)}`;
  }
  if (issue.code === 'invalid_value') {
    const allowed = issue.values.map((value) => JSON.stringify(value)).join(', ');
    return `Expected ${field} to be one of ${allowed}, got ${missing ? 'nothing' : describeValue(issue.input)}`;
  }
  return missing ? `${field}: ${issue.message}` : `${field}: ${issue.message}, got ${describeValue(issue.input)}`;
}

/**
 * Turns a zod error into one sentence per problem, each naming the field, what was expected and what
 * was got: "Expected `messages` to be an object, got `null` (null)". Parse with
 * `{ reportInput: true }` so the received values can be shown. `root` prefixes every path.
 */
export function formatZodError(error: z.ZodError, options: { root?: string } = {}): string {
  return error.issues.map((issue) => describeIssue(issue, options.root)).join('; ');
}
