import type { Agent } from '../../agents/types.js';
import type { Message } from '../../protocol/messages.js';
import type { Catalogue } from './catalogue.js';
import { tokenSetRatio } from './fuzz.js';
import type { Goal } from './goals.js';
import { SEP } from './pages.js';

/**
 * Built-in WebShop agents. Both read only the conversation (page texts), like any agent would.
 * - `webshop-rule`: the baseline: search the instruction, open the best result, click the option
 *   values the instruction names, buy.
 * - `oracle`: knows the goal: searches the target's title, pages through the results to the target,
 *   picks the goal's options, buys. An upper bound for the reward on a task, not always 1 (the
 *   target may be out of the goal's price, or its options may not match the goal's wording).
 */

const UNCHANGED = 'The page is unchanged:\n\n';
const PRICE_CLAUSE = /,? and price lower than [\d.]+ dollars/i;
const WORD_CHAR = '[\\p{L}\\p{N}]';

type PageKind = 'search' | 'results' | 'item' | 'sub_page' | 'done';

interface Observed {
  kind: PageKind;
  parts: string[];
}

/** The page text of the latest observation (an invalid-action note is dropped). */
function lastPage(messages: readonly Message[]): string {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message = messages[i]!;
    if (message.role !== 'user' && message.role !== 'tool') continue;
    const at = message.content.indexOf(UNCHANGED);
    return at >= 0 && message.content.startsWith('Invalid action') ? message.content.slice(at + UNCHANGED.length) : message.content;
  }
  return '';
}

function observe(text: string): Observed {
  const parts = text.split(SEP);
  let kind: PageKind = 'sub_page';
  if (parts[0] === 'WebShop') kind = 'search';
  else if (parts[0] === 'Thank you for shopping with us!') kind = 'done';
  else if (/^Page \d+ \(Total results: \d+\)$/.test(parts[3] ?? '')) kind = 'results';
  else if (parts[parts.length - 1] === 'Buy Now') kind = 'item';
  return { kind, parts };
}

/** The instruction, read from the first page (the start page shows it as its third part). */
function instructionOf(messages: readonly Message[]): string {
  const first = messages.find((message) => message.role === 'user');
  return first?.content.split(SEP)[2] ?? '';
}

/** The actions the agent has taken so far, as text (search[...] / click[...]). */
function pastActions(messages: readonly Message[]): string[] {
  const actions: string[] = [];
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    const call = message.tool_calls?.[0];
    if (call) {
      const args = safeArgs(call.function.arguments);
      actions.push(`${call.function.name}[${String(args.keywords ?? args.target ?? '')}]`);
    } else actions.push(message.content.trim());
  }
  return actions;
}

function safeArgs(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    // an unreadable tool call counts as an action with no argument
    return {};
  }
}

/** ASINs listed on a results page: the parts after "Next >", in (ASIN, title, price) triples. */
function listedAsins(parts: readonly string[]): string[] {
  const next = parts.indexOf('Next >');
  const asins: string[] = [];
  for (let i = next + 1; i < parts.length; i += 3) asins.push(parts[i]!.toLowerCase());
  return asins;
}

/** Option group names the page text cannot tell from values; the baseline does not click them. */
const COMMON_OPTION_NAMES = new Set([
  'color', 'size', 'style', 'scent', 'flavor name', 'pattern name', 'item package quantity', 'material', 'capacity',
  'fit type', 'style name', 'size name', 'color name', 'configuration',
]);

/**
 * Option values shown on an item page: the parts between "< Prev" and the title, less the first (a
 * group name) and common group names; other group names stay in and cost an invalid click at worst.
 */
function optionParts(parts: readonly string[]): string[] {
  const prev = parts.indexOf('< Prev');
  const price = parts.findIndex((part) => part.startsWith('Price: $'));
  if (price <= prev + 2) return [];
  return parts.slice(prev + 2, price - 1).filter((part) => !COMMON_OPTION_NAMES.has(part));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Option values the instruction names: whole-phrase matches, not followed by ":" (that is an option name). */
export function optionsNamedIn(instruction: string, candidates: readonly string[]): string[] {
  const text = instruction.toLowerCase();
  const named = candidates.filter((candidate) => {
    if (candidate.length === 0) return false;
    const phrase = new RegExp(`(?<!${WORD_CHAR})${escapeRegExp(candidate.toLowerCase())}(?!${WORD_CHAR})(?!:)`, 'u');
    return phrase.test(text);
  });
  // "large" also occurs inside "x-large": keep only the longest of nested matches
  return named.filter((value) => !named.some((other) => other !== value && other.includes(value)));
}

/** The search keywords for an instruction: the instruction without its price clause. */
export function searchKeywords(instruction: string): string {
  return instruction.replace(PRICE_CLAUSE, '').trim();
}

const rule: Agent = ({ messages }) => {
  const page = observe(lastPage(messages));
  const instruction = instructionOf(messages);
  const actions = pastActions(messages);
  switch (page.kind) {
    case 'search': {
      // each retry after an empty search halves the keywords, down to two words
      const tries = actions.filter((action) => action.startsWith('search[')).length;
      const words = searchKeywords(instruction).split(/\s+/);
      return `search[${words.slice(0, Math.max(2, Math.ceil(words.length / 2 ** tries))).join(' ')}]`;
    }
    case 'results': {
      const asins = listedAsins(page.parts);
      return asins.length > 0 ? `click[${asins[0]}]` : 'click[back to search]';
    }
    case 'item': {
      const clicked = new Set(actions);
      const next = optionsNamedIn(instruction, optionParts(page.parts)).find((value) => !clicked.has(`click[${value}]`));
      return next ? `click[${next}]` : 'click[buy now]';
    }
    default:
      return 'click[< prev]';
  }
};

/** The product option values that best match the goal's options. */
function goalValues(goal: Goal, catalogue: Catalogue): string[] {
  const index = catalogue.indexOf(goal.asin);
  if (index === undefined) return [];
  const values = catalogue.product(index).options.flatMap((option) => option.values);
  const wanted = Array.isArray(goal.goalOptions) ? (goal.goalOptions as readonly string[]) : Object.values(goal.goalOptions);
  const chosen: string[] = [];
  for (const option of wanted) {
    let best: string | undefined = values.includes(option) ? option : undefined;
    let bestScore = 85;
    for (const value of best ? [] : values) {
      const score = tokenSetRatio(value, option);
      if (score > bestScore) [best, bestScore] = [value, score];
    }
    if (best && !chosen.includes(best)) chosen.push(best);
  }
  return chosen;
}

function oracleFor(shop: WebshopAgentHost): Agent {
  return (context) => {
    const { messages, task } = context;
    const goal = shop.goal(task.id);
    const targetIndex = goal ? shop.catalogue.indexOf(goal.asin) : undefined;
    if (!goal || targetIndex === undefined) return rule(context);
    const target = goal.asin.toLowerCase();
    const page = observe(lastPage(messages));
    switch (page.kind) {
      case 'search':
        return `search[${shop.catalogue.product(targetIndex).title}]`;
      case 'results': {
        const asins = listedAsins(page.parts);
        if (asins.includes(target)) return `click[${target}]`;
        const total = Number(/Total results: (\d+)/.exec(page.parts[3] ?? '')?.[1] ?? 0);
        const current = Number(/^Page (\d+)/.exec(page.parts[3] ?? '')?.[1] ?? 1);
        if (current * 10 < total) return 'click[next >]';
        return asins.length > 0 ? `click[${asins[0]}]` : 'click[back to search]';
      }
      case 'item': {
        const clicked = new Set(pastActions(messages));
        const next = goalValues(goal, shop.catalogue).find((value) => !clicked.has(`click[${value}]`));
        return next ? `click[${next}]` : 'click[buy now]';
      }
      default:
        return 'click[< prev]';
    }
  };
}

/** What the agents may ask of the environment. */
export interface WebshopAgentHost {
  readonly catalogue: Catalogue;
  goal(taskId: string): Goal | undefined;
}

export function webshopAgents(shop: WebshopAgentHost): Record<string, Agent> {
  return { 'webshop-rule': rule, oracle: oracleFor(shop) };
}
