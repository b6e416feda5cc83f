import { UnknownSplitError, UnknownTaskError } from '../../errors.js';
import type { InitialState, Message, StepResult, ToolSpec } from '../../protocol/messages.js';
import type { Agent } from '../../agents/types.js';
import type { CreateInstanceOptions, EnvInstance, Environment } from '../types.js';
import { searchDocument, type Catalogue } from './catalogue.js';
import { rewardGoal, splitRanges, SPLIT_NAMES, type Goal, type SplitName } from './goals.js';
import { availableActions, renderPage, type ShopPage } from './pages.js';
import { getReward, type RewardDetail } from './reward.js';
import { SearchIndex } from './search.js';
import { transition, type TransitionContext } from './transitions.js';
import { webshopAgents } from './agents.js';

/**
 * The `webshop` environment: one shared catalogue, search index and goal list; each instance is one
 * shopper session on one goal. Task `webshop_<k>` is goal k (upstream's `reset(session=k)`).
 */

const SYSTEM_PROMPT = [
  'You are shopping on WebShop. Follow the instruction to find and buy the product it describes.',
  'Each observation is the text of the current page, its parts joined with " [SEP] ".',
  'Answer with exactly one action per turn:',
  '- search[keywords]: search the shop; only on a page that has a search bar (the start page).',
  '- click[name]: click a button, a product ASIN, or an option value shown on the page, e.g. click[buy now].',
  'Clicking an option value selects it. The episode ends when you click "Buy Now".',
  'You may put reasoning first; the action is then read from the last line that starts with "Action:".',
].join('\n');

const TOOLS: ToolSpec[] = [
  {
    type: 'function',
    function: {
      name: 'search',
      description: 'Search the shop (only on a page with a search bar).',
      parameters: { type: 'object', properties: { keywords: { type: 'string' } }, required: ['keywords'] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'click',
      description: 'Click a button, product ASIN or option value on the current page.',
      parameters: { type: 'object', properties: { target: { type: 'string' } }, required: ['target'] },
    },
  },
];

const TOOL_ARGUMENT: Readonly<Record<string, readonly string[]>> = {
  search: ['keywords', 'query', 'text'],
  click: ['target', 'value', 'name', 'button'],
};

/** The action text of an assistant message: a search/click tool call, else the content's action line. */
export function actionText(message: Message): { text: string; toolCallId?: string } {
  for (const call of message.tool_calls ?? []) {
    const keys = TOOL_ARGUMENT[call.function.name];
    if (!keys) continue;
    let value: unknown;
    try {
      const args = JSON.parse(call.function.arguments || '{}') as Record<string, unknown>;
      value = keys.map((key) => args[key]).find((candidate) => typeof candidate === 'string');
    } catch {
      // malformed arguments: the call still names the action, with an empty (invalid) argument
      value = undefined;
    }
    return { text: `${call.function.name}[${typeof value === 'string' ? value : ''}]`, toolCallId: call.id };
  }
  const content = message.content ?? '';
  const lines = [...content.matchAll(/^\s*Action:\s*(.*)$/gim)];
  return { text: (lines.length > 0 ? lines[lines.length - 1]![1]! : content).trim() };
}

function describeActions(page: ShopPage, catalogue: Catalogue): string {
  const { has_search_bar, clickables } = availableActions(page, catalogue);
  const actions = [...(has_search_bar ? ['search[<keywords>]'] : []), ...clickables.map((name) => `click[${name}]`)];
  return actions.length > 0 ? actions.join(', ') : '(none)';
}

export interface WebshopEnvironmentOptions {
  catalogue: Catalogue;
  goals: readonly Goal[];
  /** A prebuilt index over the catalogue; built from it when absent. */
  index?: SearchIndex;
}

/** Builds the search index over a catalogue's products, in catalogue order. */
export function buildSearchIndex(catalogue: Catalogue): SearchIndex {
  const products = catalogue.products;
  return new SearchIndex({ ids: products.map((product) => product.asin), text: (index) => searchDocument(products[index]!) });
}

class WebshopInstance implements EnvInstance {
  readonly initial: InitialState;
  #page: ShopPage = { kind: 'search' };
  #detail: RewardDetail | undefined;
  #purchase: { asin: string; options: Record<string, string>; price: number } | undefined;
  readonly #context: TransitionContext;

  constructor(
    private readonly shop: { catalogue: Catalogue; index: SearchIndex },
    private readonly goal: Goal,
    taskId: string,
    instanceId: string,
  ) {
    this.#context = {
      catalogue: shop.catalogue,
      index: shop.index,
      purchase: (product, options) => {
        const price = shop.catalogue.price(product);
        this.#detail = getReward({
          product: shop.catalogue.rewardProduct(product),
          goal: rewardGoal(goal, shop.catalogue),
          price,
          options,
        });
        this.#purchase = { asin: shop.catalogue.product(product).asin, options: { ...options }, price };
        return this.#detail.reward;
      },
    };
    this.initial = {
      state: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: this.#observation() },
      ],
      info: { instance_id: instanceId, task_id: taskId, instruction: goal.instruction, ...this.#pageInfo() },
      tools: TOOLS,
    };
  }

  #observation(): string {
    return renderPage(this.#page, this.goal.instruction, this.shop.catalogue);
  }

  #pageInfo(): Record<string, unknown> {
    return { page: this.#page.kind, available_actions: availableActions(this.#page, this.shop.catalogue) };
  }

  step(action: Message): StepResult {
    const { text, toolCallId } = actionText(action);
    const reply = (content: string): Message =>
      toolCallId === undefined ? { role: 'user', content } : { role: 'tool', content, tool_call_id: toolCallId };
    if (this.#page.kind === 'done') {
      return {
        state: [reply(`Invalid action: the episode has ended with your purchase; no further actions are accepted.\n\n${this.#observation()}`)],
        reward: 0,
        is_terminated: true,
        info: { ...this.#pageInfo(), valid: false },
      };
    }
    const result = transition(this.#page, text, this.#context);
    if (!result.ok) {
      const content = `Invalid action: ${result.reason} Available actions: ${describeActions(this.#page, this.shop.catalogue)}. The page is unchanged:\n\n${this.#observation()}`;
      return { state: [reply(content)], reward: 0, is_terminated: false, info: { ...this.#pageInfo(), valid: false, error: result.reason } };
    }
    this.#page = result.page;
    const done = this.#page.kind === 'done';
    const info: Record<string, unknown> = { ...this.#pageInfo(), valid: true };
    if (done) info.reward_details = this.#evaluation();
    return { state: [reply(this.#observation())], reward: done ? this.#detail!.reward : 0, is_terminated: done, info };
  }

  #evaluation(): Record<string, unknown> {
    if (!this.#detail || !this.#purchase) return { reward: 0, purchased: false, goal_asin: this.goal.asin };
    return { ...this.#detail, purchased: true, ...this.#purchase, goal_asin: this.goal.asin };
  }

  evaluate(_messages: Record<string, unknown>, params: Record<string, unknown>) {
    const evaluation = this.#evaluation();
    return params.sparse ? (evaluation.reward as number) : evaluation;
  }

  getInfo(): Record<string, unknown> {
    return { instruction: this.goal.instruction, ...this.#pageInfo(), actions: 'search[keywords] | click[name]' };
  }
}

/** The environment over one loaded catalogue and goal list (shared by all its instances). */
export class WebshopEnvironment implements Environment {
  readonly name = 'webshop';
  readonly agents: Readonly<Record<string, Agent>>;
  readonly goals: readonly Goal[];
  readonly catalogue: Catalogue;
  readonly index: SearchIndex;
  readonly #ranges: Record<SplitName, { from: number; to: number }>;

  constructor(options: WebshopEnvironmentOptions) {
    this.catalogue = options.catalogue;
    this.index = options.index ?? buildSearchIndex(options.catalogue);
    this.goals = options.goals;
    this.#ranges = splitRanges(options.goals.length);
    this.agents = webshopAgents(this);
  }

  splits(): readonly string[] {
    return SPLIT_NAMES;
  }

  taskIds(split: string): readonly string[] {
    const range = Object.hasOwn(this.#ranges, split) ? this.#ranges[split as SplitName] : undefined;
    if (!range) throw new UnknownSplitError(this.name, split, this.splits());
    return Array.from({ length: range.to - range.from }, (_, k) => `webshop_${range.from + k}`);
  }

  /** The goal of a task id, or undefined. */
  goal(taskId: string): Goal | undefined {
    const match = /^webshop_(\d+)$/.exec(taskId);
    return match ? this.goals[Number(match[1])] : undefined;
  }

  createInstance({ taskId, instanceId }: CreateInstanceOptions): EnvInstance {
    const goal = this.goal(taskId);
    if (!goal) throw new UnknownTaskError(this.name, taskId);
    return new WebshopInstance({ catalogue: this.catalogue, index: this.index }, goal, taskId, instanceId);
  }
}
