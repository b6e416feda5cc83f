import type { Message } from '../../protocol/messages.js';

/**
 * AppWorld's actions are Python code: a fenced ```python block in the content, or a call of the
 * `appworld` tool whose arguments hold `{"code": "..."}`. These helpers read code out of an action,
 * and reshape tool calls for AgentScope's AppWorld image, which takes a flat tool-call shape.
 */

/** The name of the tool AgentScope's AppWorld env (and our adapter) executes. */
export const APPWORLD_TOOL = 'appworld';

/** The first complete ```python block; an unclosed one runs to the end of the text (as upstream reads it). */
export function fencedPython(content: string): string | undefined {
  const open = /```python[^\S\n]*\n/.exec(content);
  if (!open) return undefined;
  const rest = content.slice(open.index + open[0].length);
  const close = rest.indexOf('```');
  return close === -1 ? rest : rest.slice(0, close);
}

/**
 * The code an action asks to run: the `appworld` tool calls' code joined in order, else the fenced
 * block. Undefined when there is none. Malformed tool arguments are reported, never thrown.
 */
export function codeOf(action: Message): { code?: string; problem?: string } {
  const calls = action.tool_calls ?? [];
  if (calls.length) {
    const codes: string[] = [];
    for (const call of calls) {
      if (call.function.name !== APPWORLD_TOOL) return { problem: `Tool not found: ${call.function.name}. The only tool is \`${APPWORLD_TOOL}\` with arguments {"code": "<python>"}.` };
      let code: unknown;
      try {
        code = (JSON.parse(call.function.arguments) as { code?: unknown }).code;
      } catch (error) {
        return { problem: `The \`${APPWORLD_TOOL}\` tool's arguments are not JSON (${(error as Error).message}); send {"code": "<python>"}.` };
      }
      if (typeof code !== 'string') return { problem: `The \`${APPWORLD_TOOL}\` tool needs a string "code" argument.` };
      codes.push(code);
    }
    return { code: codes.join('\n') };
  }
  const code = fencedPython(action.content);
  return code === undefined ? {} : { code };
}

/** AgentScope's AppWorld env reads tool calls flat: `{index, id, type, name, arguments}` (it ignores OpenAI's nesting). */
export interface FlatToolCall {
  index: number;
  id: string;
  type: 'function';
  name: string;
  arguments: string;
}

/** The action as AgentScope's AppWorld image wants it: flat tool calls (the runner already made `content` a string). */
export function withFlatToolCalls(action: Message): Omit<Message, 'tool_calls'> & { tool_calls?: FlatToolCall[] } {
  const { tool_calls: calls, ...rest } = action;
  if (!calls?.length) return rest;
  return {
    ...rest,
    tool_calls: calls.map((call, index) => ({ index, id: call.id, type: 'function', name: call.function.name, arguments: call.function.arguments })),
  };
}
