import type { Agent } from '../../agents/types.js';
import type { Message } from '../../protocol/messages.js';
import { BACKEND_CLASSES } from './classes/index.js';
import type { BfclEntry, GroundTruthCall } from './data.js';
import { pyJsonDumps } from './python/json.js';
import type { PyDict, PyValue } from './python/values.js';

/**
 * The `oracle` agent: replays each turn's ground truth as one step of `<tool_call>` blocks (the
 * AgentScope format, so it also drives AgentScope's own BFCL image), then ends the turn with text.
 * It finds its place from the conversation: every assistant message without calls closed a turn.
 */

export const END_OF_TURN = 'Done with this turn.';

function hasCalls(message: Message): boolean {
  return (message.tool_calls?.length ?? 0) > 0 || (typeof message.content === 'string' && message.content.includes('<tool_call>'));
}

/** A ground-truth call as a `<tool_call>` block, positional arguments named by the method's signature. */
export function toolCallBlock(entry: BfclEntry, { call }: GroundTruthCall): string {
  const backend = entry.involvedClasses.map((name) => BACKEND_CLASSES.get(name)).find((candidate) => candidate && call.name in candidate.methods);
  const params = backend?.methods[call.name]?.params ?? [];
  const args: PyDict = new Map();
  call.args.forEach((value, index) => {
    const param = params[index];
    args.set(param === undefined ? `arg${index}` : typeof param === 'string' ? param : param[0], value);
  });
  for (const [name, value] of call.kwargs) args.set(name, value);
  const body: PyDict = new Map<string, PyValue>([['name', call.name], ['arguments', args]]);
  return `<tool_call>\n${pyJsonDumps(body)}\n</tool_call>`;
}

/** The oracle for a data set; `entryOf` resolves a task id as the environment does. */
export function createOracle(entryOf: (taskId: string) => BfclEntry): Agent {
  return ({ messages, task }) => {
    const entry = entryOf(task.id);
    let turn = 0;
    let actedThisTurn = false;
    for (const message of messages) {
      if (message.role !== 'assistant') continue;
      if (hasCalls(message)) actedThisTurn = true;
      else {
        turn += 1;
        actedThisTurn = false;
      }
    }
    const calls = entry.groundTruth[turn] ?? [];
    if (actedThisTurn || calls.length === 0) return END_OF_TURN;
    return calls.map((call) => toolCallBlock(entry, call)).join('\n');
  };
}
