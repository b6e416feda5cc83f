import type { Catalogue } from './catalogue.js';
import { pyFloat, pyJsonDumps } from './python-format.js';

/**
 * The shop's pages and their text as upstream's text mode shows them: every visible text node of the
 * rendered page, stripped, joined with " [SEP] " (empty nodes dropped). We build the text directly
 * from the page state instead of rendering and re-parsing HTML; the node order is the templates'.
 * Also what each page offers: whether it has a search bar, and its clickable names.
 */

/** Hits per search (upstream SEARCH_RETURN_N) and products per results page (PRODUCT_WINDOW). */
export const SEARCH_LIMIT = 50;
export const PAGE_SIZE = 10;
export const SEP = ' [SEP] ';

export type SubPageName = 'Description' | 'Features' | 'Reviews';

interface ResultsState {
  keywords: string;
  /** Product indexes of the search's hits, best first. */
  hits: readonly number[];
  /** 1-based results page. */
  page: number;
}

interface ItemState extends ResultsState {
  product: number;
  /** Chosen options, `{name: value}`, in the order first chosen. */
  options: Readonly<Record<string, string>>;
}

export type ShopPage =
  | { kind: 'search' }
  | ({ kind: 'results' } & ResultsState)
  | ({ kind: 'item' } & ItemState)
  | ({ kind: 'sub_page'; subPage: SubPageName } & ItemState)
  | { kind: 'done'; product: number; options: Readonly<Record<string, string>>; reward: number };

/** What a click name does on the current page. */
export type ClickTarget =
  | { type: 'button'; button: string }
  | { type: 'product'; product: number }
  | { type: 'option'; name: string; value: string };

/** upstream `get_available_actions`: whether search[...] applies, and the names click[...] accepts. */
export interface AvailableActions {
  has_search_bar: boolean;
  clickables: string[];
}

/** The products shown on a results page. */
export function productsOnPage(state: ResultsState): readonly number[] {
  return state.hits.slice((state.page - 1) * PAGE_SIZE, state.page * PAGE_SIZE);
}

/**
 * The page's click names and what they do, in upstream's order: buttons, then product links, then
 * option values. A value offered by two option groups keeps its first position and the last group.
 */
export function clickTargets(page: ShopPage, catalogue: Catalogue): Map<string, ClickTarget> {
  const targets = new Map<string, ClickTarget>();
  const button = (label: string) => targets.set(label.toLowerCase(), { type: 'button', button: label.toLowerCase() });
  switch (page.kind) {
    case 'search':
      button('Search');
      break;
    case 'results':
      button('Back to Search');
      if (page.page > 1) button('< Prev');
      button('Next >');
      for (const product of productsOnPage(page)) {
        targets.set(catalogue.product(product).asin.toLowerCase(), { type: 'product', product });
      }
      break;
    case 'item':
      for (const label of ['Back to Search', '< Prev', 'Description', 'Features', 'Reviews', 'Buy Now']) button(label);
      for (const option of catalogue.product(page.product).options) {
        for (const value of option.values) targets.set(value, { type: 'option', name: option.name, value });
      }
      break;
    case 'sub_page':
      button('Back to Search');
      button('< Prev');
      break;
    case 'done':
      break;
  }
  return targets;
}

export function availableActions(page: ShopPage, catalogue: Catalogue): AvailableActions {
  return { has_search_bar: page.kind === 'search', clickables: [...clickTargets(page, catalogue).keys()] };
}

function join(parts: readonly string[]): string {
  return parts
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .join(SEP);
}

/** The done page; the fields upstream leaves empty (code, goal, target) print as its template does. */
function donePage(page: Extract<ShopPage, { kind: 'done' }>, catalogue: Catalogue): string[] {
  return [
    'Thank you for shopping with us!', 'Your code:', 'None', '(Paste it in your MTurk interface.)',
    'Purchased', 'asin', catalogue.product(page.product).asin, 'options', pyJsonDumps(page.options),
    'attrs', 'None', 'category', 'None', 'query', 'None', 'product category', 'None',
    'Target', 'asin', 'options', 'attrs', 'price upper', 'instuction text', 'category', 'product category', 'query',
    'Goal', 'None',
    'Reward', 'Your score (min 0.0, max 1.0)', pyFloat(page.reward), 'Reward Details', 'None',
  ];
}

/** The page's text-mode observation. */
export function renderPage(page: ShopPage, instruction: string, catalogue: Catalogue): string {
  const header = ['Instruction:', instruction, 'Back to Search'];
  switch (page.kind) {
    case 'search':
      return join(['WebShop', 'Instruction:', instruction, 'Search']);
    case 'results': {
      const parts = [...header, `Page ${page.page} (Total results: ${page.hits.length})`];
      if (page.page > 1) parts.push('< Prev');
      parts.push('Next >');
      for (const index of productsOnPage(page)) {
        const product = catalogue.product(index);
        parts.push(product.asin, product.title, product.priceTag);
      }
      return join(parts);
    }
    case 'item': {
      const product = catalogue.product(page.product);
      const parts = [...header, '< Prev'];
      for (const option of product.options) parts.push(option.name, ...option.values);
      parts.push(product.title, `Price: ${product.priceTag}`, 'Rating: N.A.', 'Description', 'Features', 'Reviews', 'Buy Now');
      return join(parts);
    }
    case 'sub_page': {
      const product = catalogue.product(page.product);
      const parts = [...header, '< Prev'];
      if (page.subPage === 'Description') parts.push(product.description);
      else if (page.subPage === 'Features') parts.push(...product.bulletPoints);
      // Reviews: always empty, as upstream (its review loading is disabled)
      return join(parts);
    }
    case 'done':
      return join(donePage(page, catalogue));
  }
}
