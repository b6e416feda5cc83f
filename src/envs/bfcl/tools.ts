import type { ToolSpec } from '../../protocol/messages.js';
import type { BfclDataset, BfclEntry, FunctionDoc } from './data.js';

/**
 * What the agent is offered: BFCL's function docs as OpenAI function specs (with BFCL's own type
 * mapping), and the AgentScope-style system prompt listing the docs.
 */

// BFCL's `type_mappings` for OpenAI-style tools
const TYPE_MAP: Readonly<Record<string, string>> = { dict: 'object', float: 'number', tuple: 'array', any: 'string' };
const FLOAT_NOTE = ' This is a float type value.';

function convertSchema(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const source = schema as Record<string, unknown>;
  const out: Record<string, unknown> = { ...source };
  const type = typeof source.type === 'string' ? source.type : 'string';
  out.type = TYPE_MAP[type] ?? type;
  if (type === 'float' && typeof source.description === 'string') out.description = source.description + FLOAT_NOTE;
  if (source.items !== undefined) out.items = convertSchema(source.items);
  if (typeof source.properties === 'object' && source.properties !== null) {
    out.properties = Object.fromEntries(Object.entries(source.properties as Record<string, unknown>).map(([name, value]) => [name, convertSchema(value)]));
  }
  return out;
}

/** A gorilla-format doc as an OpenAI function spec. */
export function toToolSpec(doc: FunctionDoc): ToolSpec {
  const parameters = convertSchema(doc.parameters ?? { type: 'dict', properties: {} }) as Record<string, unknown>;
  parameters.type = 'object';
  return { type: 'function', function: { name: doc.name, description: doc.description, parameters } };
}

/** The docs offered at the start of an entry: its classes' docs in order, minus withheld and excluded ones. */
export function initialDocs(entry: BfclEntry, docs: ReadonlyMap<string, readonly FunctionDoc[]>): FunctionDoc[] {
  const hidden = new Set([...[...entry.missedFunctions.values()].flat(), ...entry.excludedFunctions]);
  return entry.involvedClasses.flatMap((name) => docs.get(name) ?? []).filter((doc) => !hidden.has(doc.name));
}

/** The docs a miss_func turn reveals. */
export function revealedDocs(entry: BfclEntry, docs: ReadonlyMap<string, readonly FunctionDoc[]>, turn: number): FunctionDoc[] {
  const names = new Set(entry.missedFunctions.get(turn) ?? []);
  return entry.involvedClasses.flatMap((name) => docs.get(name) ?? []).filter((doc) => names.has(doc.name));
}

/** A Qwen-style tool prompt as AgentScope's BFCL environment sends: one compact JSON doc per line. */
export function systemPrompt(docs: readonly FunctionDoc[]): string {
  return [
    '# Tools',
    '',
    'You may call one or more functions to assist with the user query.',
    '',
    'You are provided with function signatures within <tools></tools> XML tags:',
    '<tools>',
    ...docs.map((doc) => JSON.stringify(doc)),
    '</tools>',
    '',
    'For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:',
    '<tool_call>',
    '{"name": <function-name>, "arguments": <args-json-object>}',
    '</tool_call>',
  ].join('\n');
}

/** BFCL's canned user message for a turn that reveals withheld functions. */
export const REVEAL_MESSAGE = 'I have updated some more functions you can choose from. What about now?';

/** What an instance offers at a point of its episode. Shared by every instance: never mutate it. */
export interface ToolOffer {
  readonly docs: readonly FunctionDoc[];
  readonly tools: readonly ToolSpec[];
  /** The system prompt listing `docs` (initial offers only). */
  readonly prompt: string;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/**
 * Builds each entry's offers once and shares them: the prompt and the specs are the largest part
 * of an instance, and every instance of an entry offers the same ones. Frozen, so a caller that
 * mutates them fails loudly instead of changing other instances.
 */
export class ToolCatalog {
  readonly #offers = new Map<string, ToolOffer>();
  constructor(private readonly dataset: BfclDataset) {}

  /** The offer at the start of an entry (a turn-0 reveal included). */
  initial(entry: BfclEntry): ToolOffer {
    return this.#offer(`${entry.id}\0start`, () => {
      const docs = initialDocs(entry, this.dataset.docs);
      if (entry.missedFunctions.has(0)) docs.push(...revealedDocs(entry, this.dataset.docs, 0));
      return docs;
    });
  }

  /** The offer after the reveal of `turn`: everything offered before plus the withheld docs. */
  afterReveal(entry: BfclEntry, turn: number, current: ToolOffer): ToolOffer {
    return this.#offer(`${entry.id}\0${turn}`, () => [...current.docs, ...revealedDocs(entry, this.dataset.docs, turn)]);
  }

  #offer(key: string, build: () => FunctionDoc[]): ToolOffer {
    let offer = this.#offers.get(key);
    if (!offer) {
      const docs = build();
      offer = deepFreeze({ docs, tools: docs.map(toToolSpec), prompt: systemPrompt(docs) });
      this.#offers.set(key, offer);
    }
    return offer;
  }
}
