import type { Catalogue } from './catalogue.js';
import { clickTargets, SEARCH_LIMIT, type ShopPage, type SubPageName } from './pages.js';
import type { SearchIndex } from './search.js';

/**
 * Parsing actions and moving between pages (upstream's text env and its page handlers).
 *
 * Differences from upstream, on purpose: `search[...]` is accepted only where the page has a search
 * bar (upstream accepts it anywhere), the debug prefixes `<r>`, `<a>`, `<c>`, `<q>` are plain search
 * text, and an invalid action comes back with the reason instead of silently.
 */

export interface ParsedAction {
  /** Everything before the last "[" that has a "...]" after it, e.g. "search". */
  name: string;
  /** The bracketed argument, lower-cased. */
  arg: string;
}

// upstream: re.match(r'(.+)\[(.+)\]') — greedy, anchored at the start only, "." stopping at "\n"
const ACTION = /^([^\n]+)\[([^\n]+)\]/;

/** Upstream's action parsing; undefined when the text does not look like `name[arg]`. */
export function parseAction(text: string): ParsedAction | undefined {
  const match = ACTION.exec(text);
  if (!match) return undefined;
  return { name: match[1]!, arg: match[2]!.toLowerCase() };
}

export interface TransitionContext {
  catalogue: Catalogue;
  index: SearchIndex;
  /** Scores a purchase; called once, on `click[buy now]`. */
  purchase(product: number, options: Readonly<Record<string, string>>): number;
}

export type TransitionResult = { ok: true; page: ShopPage } | { ok: false; reason: string };

const SUB_PAGES: Readonly<Record<string, SubPageName>> = {
  description: 'Description',
  features: 'Features',
  reviews: 'Reviews',
};

function invalid(reason: string): TransitionResult {
  return { ok: false, reason };
}

/** Search results page 1 for `keywords`; a new search forgets the chosen product and options. */
export function searchPage(keywords: string, index: SearchIndex): ShopPage {
  // upstream splits the keywords on single spaces and joins them again for the query
  return { kind: 'results', keywords, hits: index.search(keywords.split(' ').join(' '), SEARCH_LIMIT), page: 1 };
}

function click(page: ShopPage, target: string, context: TransitionContext): TransitionResult {
  const clicked = clickTargets(page, context.catalogue).get(target);
  if (!clicked) return invalid(`"${target}" is not clickable on this page.`);
  if (clicked.type === 'product') {
    if (page.kind !== 'results') return invalid(`"${target}" is not clickable on this page.`);
    const { keywords, hits } = page;
    return { ok: true, page: { kind: 'item', keywords, hits, page: page.page, product: clicked.product, options: {} } };
  }
  if (clicked.type === 'option') {
    if (page.kind !== 'item') return invalid(`"${target}" is not clickable on this page.`);
    return { ok: true, page: { ...page, options: { ...page.options, [clicked.name]: clicked.value } } };
  }
  const button = clicked.button;
  if (button === 'back to search') return { ok: true, page: { kind: 'search' } };
  switch (page.kind) {
    case 'results':
      if (button === 'next >') return { ok: true, page: { ...page, page: page.page + 1 } };
      if (button === '< prev') return { ok: true, page: { ...page, page: page.page - 1 } };
      break;
    case 'item': {
      const { keywords, hits } = page;
      if (button === '< prev') return { ok: true, page: { kind: 'results', keywords, hits, page: page.page } };
      if (button === 'buy now') {
        const reward = context.purchase(page.product, page.options);
        return { ok: true, page: { kind: 'done', product: page.product, options: page.options, reward } };
      }
      const subPage = SUB_PAGES[button];
      if (subPage) return { ok: true, page: { ...page, kind: 'sub_page', subPage } };
      break;
    }
    case 'sub_page':
      if (button === '< prev') {
        const { keywords, hits, product, options } = page;
        return { ok: true, page: { kind: 'item', keywords, hits, page: page.page, product, options } };
      }
      break;
    default:
      break;
  }
  // unreachable with the targets clickTargets offers; kept so a new button cannot fall through silently
  return invalid(`"${target}" does nothing on this page.`);
}

/** Applies one action text to a page. Invalid actions leave the page as it was and say why. */
export function transition(page: ShopPage, action: string, context: TransitionContext): TransitionResult {
  const parsed = parseAction(action);
  if (!parsed) return invalid(`cannot read "${action}"; write search[keywords] or click[name].`);
  if (parsed.name === 'search') {
    if (page.kind !== 'search') return invalid('this page has no search bar; click[back to search] first.');
    return { ok: true, page: searchPage(parsed.arg, context.index) };
  }
  if (parsed.name === 'click') {
    if (parsed.arg === 'search') return invalid('click[search] does nothing; write search[keywords].');
    return click(page, parsed.arg, context);
  }
  return invalid(`unknown action "${parsed.name}"; write search[keywords] or click[name].`);
}
