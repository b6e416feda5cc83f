import type { Message } from '../../protocol/messages.js';
import { parsePyJson } from './python/json.js';
import { parseExpression, type Expression, type ParsedCall } from './python/literal.js';
import { isDict, type PyValue } from './python/values.js';

/**
 * Turns an agent's action into calls. Three forms are accepted, checked in this order:
 * 1. OpenAI `tool_calls` on the message (arguments a JSON object string);
 * 2. AgentScope's `<tool_call>{"name": ..., "arguments": {...}}</tool_call>` blocks in the content;
 * 3. BFCL's prompting format, a Python list of calls in the content: `[cd(folder='x'), ls()]`.
 * Calls are parsed, never evaluated. An action with no call ends the turn.
 */

export type ActionFormat = 'tool_calls' | 'tool_call_tags' | 'python';

export interface DecodedCall {
  /** The id the observation answers to: the OpenAI call id, or `<name>_<k>` as AgentScope numbers them. */
  id: string;
  call: ParsedCall;
}

export interface DecodedAction {
  format: ActionFormat;
  calls: DecodedCall[];
  /** OpenAI tool calls that could not be decoded: the whole step is dropped, as BFCL drops it. */
  rejected?: Array<{ id: string; reason: string }>;
}

/** Deeper than any BFCL argument: deeper values are refused, so repr and the checker never overflow the stack. */
const MAX_ARGUMENT_DEPTH = 64;

function nestedDeeperThan(value: PyValue, limit: number): boolean {
  // iterative, so measuring a hostile value cannot overflow the stack either
  const stack: Array<[PyValue, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (depth > limit) return true;
    if (Array.isArray(item)) for (const child of item) stack.push([child, depth + 1]);
    else if (isDict(item)) for (const [key, child] of item) stack.push([key as PyValue, depth + 1], [child, depth + 1]);
  }
  return false;
}

function kwargsOf(value: PyValue): Array<[string, PyValue]> | undefined {
  if (!isDict(value) || nestedDeeperThan(value, MAX_ARGUMENT_DEPTH)) return undefined;
  return [...value].map(([key, item]) => [String(key), item]);
}

function argumentsOf(raw: PyValue | undefined): Array<[string, PyValue]> | undefined {
  if (raw === undefined || raw === null) return [];
  if (typeof raw === 'string') {
    if (raw.trim() === '') return [];
    try {
      return kwargsOf(parsePyJson(raw));
    } catch {
      // not JSON: the call is malformed, and the caller says so
      return undefined;
    }
  }
  return kwargsOf(raw);
}

function fromToolCalls(action: Message): DecodedAction {
  const calls: DecodedCall[] = [];
  const rejected: Array<{ id: string; reason: string }> = [];
  for (const toolCall of action.tool_calls ?? []) {
    const kwargs = argumentsOf(toolCall.function?.arguments);
    if (!toolCall.function?.name || !kwargs) {
      rejected.push({ id: toolCall.id, reason: `the arguments of ${toolCall.function?.name ?? '(unnamed)'} are not a JSON object` });
      continue;
    }
    calls.push({ id: toolCall.id, call: { name: toolCall.function.name, args: [], kwargs } });
  }
  return rejected.length > 0 ? { format: 'tool_calls', calls: [], rejected: [...calls.map(({ id }) => ({ id, reason: 'another call of this step could not be decoded' })), ...rejected] } : { format: 'tool_calls', calls };
}

const TOOL_CALL_BLOCK = /<tool_call>([\s\S]*?)<\/tool_call>/g;

function fromTags(content: string): DecodedCall[] {
  const calls: DecodedCall[] = [];
  for (const match of content.matchAll(TOOL_CALL_BLOCK)) {
    let body: PyValue;
    try {
      body = parsePyJson(match[1]!.trim());
    } catch {
      // AgentScope skips blocks that are not JSON
      continue;
    }
    if (!isDict(body)) continue;
    const name = body.get('name');
    const kwargs = argumentsOf(body.get('arguments'));
    if (typeof name !== 'string' || !body.has('arguments') || !kwargs) continue;
    calls.push({ id: `${name}_${calls.length + 1}`, call: { name, args: [], kwargs } });
  }
  return calls;
}

function isCall(expression: Expression): expression is Extract<Expression, { kind: 'call' }> {
  return expression.kind === 'call';
}

const LOOKS_LIKE_CALLS = /^\[\s*(?:\]|\(|[\p{L}_][\p{L}\p{N}_]*(?:\s*\.\s*[\p{L}_][\p{L}\p{N}_]*)*\s*\()/u;

/**
 * BFCL's prompting decoder: trim backticks, newlines and spaces, wrap in `[...]`, strip quotes,
 * parse; every element must be a call. Only keyword arguments are kept, as BFCL does.
 */
export function decodePythonCalls(content: string): ParsedCall[] | undefined {
  let text = content.replace(/^[`\n ]+|[`\n ]+$/g, '');
  if (!text.startsWith('[')) text = `[${text}`;
  if (!text.endsWith(']')) text = `${text}]`;
  text = text.trim().replace(/^'+|'+$/g, '');
  // prose is the common case: a list of calls must open with `name(`, `a.b(`, `(` or be `[]`
  if (!LOOKS_LIKE_CALLS.test(text)) return undefined;
  let expression: Expression;
  try {
    expression = parseExpression(text);
  } catch {
    // not Python: plain text, which ends the turn
    return undefined;
  }
  const items = expression.kind === 'sequence' ? expression.items : [expression];
  if (!items.every(isCall)) return undefined;
  return items.map(({ call }) => ({ name: call.name, args: [], kwargs: call.kwargs }));
}

/** The calls in an action, or undefined when it has none (the turn ends). */
export function decodeAction(action: Message): DecodedAction | undefined {
  if (action.tool_calls && action.tool_calls.length > 0) return fromToolCalls(action);
  const content = typeof action.content === 'string' ? action.content : '';
  if (content.includes('<tool_call>')) {
    const calls = fromTags(content);
    return calls.length > 0 ? { format: 'tool_call_tags', calls } : undefined;
  }
  const calls = decodePythonCalls(content);
  if (!calls || calls.length === 0) return undefined;
  return { format: 'python', calls: calls.map((call, index) => ({ id: `${call.name}_${index + 1}`, call })) };
}
