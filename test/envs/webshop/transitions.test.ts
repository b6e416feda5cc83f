import { describe, expect, it } from 'vitest';
import { buildSearchIndex } from '../../../src/envs/webshop/environment.js';
import type { ShopPage } from '../../../src/envs/webshop/pages.js';
import { parseAction, transition, type TransitionContext } from '../../../src/envs/webshop/transitions.js';
import { smallCatalogue } from './helpers.js';

const catalogue = smallCatalogue();
const purchases: { product: number; options: Readonly<Record<string, string>> }[] = [];
const context: TransitionContext = {
  catalogue,
  index: buildSearchIndex(catalogue),
  purchase: (product, options) => {
    purchases.push({ product, options });
    return 0.5;
  },
};

function go(page: ShopPage, action: string): ShopPage {
  const result = transition(page, action, context);
  if (!result.ok) throw new Error(`expected ${action} to be valid: ${result.reason}`);
  return result.page;
}

function refused(page: ShopPage, action: string): string {
  const result = transition(page, action, context);
  if (result.ok) throw new Error(`expected ${action} to be invalid`);
  return result.reason;
}

const start: ShopPage = { kind: 'search' };
const results = go(start, 'search[slim fit dress shirt]');
const item = go(results, 'click[b0shirt001]');

describe('parseAction (upstream parsing)', () => {
  it('reads name[arg], lower-cases the argument, and is greedy', () => {
    expect(parseAction('search[Red Shoes]')).toEqual({ name: 'search', arg: 'red shoes' });
    expect(parseAction('click[< Prev]')).toEqual({ name: 'click', arg: '< prev' });
    expect(parseAction('search[3 [pack] soap]')).toEqual({ name: 'search[3 ', arg: 'pack] soap' });
    expect(parseAction('click[buy now] please')).toEqual({ name: 'click', arg: 'buy now' });
    expect(parseAction('search[]')).toBeUndefined();
    expect(parseAction('[x]')).toBeUndefined();
    expect(parseAction('search[a\nb]')).toBeUndefined();
    expect(parseAction('buy')).toBeUndefined();
  });
});

describe('transitions (the spec\'s table)', () => {
  it('search page: search[k] -> results page 1', () => {
    expect(results).toMatchObject({ kind: 'results', keywords: 'slim fit dress shirt', page: 1, hits: [0, 1] });
  });

  it('results: click[<asin>] -> item page with no options chosen', () => {
    expect(item).toMatchObject({ kind: 'item', product: 0, options: {}, keywords: 'slim fit dress shirt', page: 1 });
    expect(go(results, 'click[B0SHIRT002]')).toMatchObject({ kind: 'item', product: 1 });
  });

  it('results: click[next >] always works, even past the last page; click[< prev] only after page 1', () => {
    const second = go(results, 'click[next >]');
    expect(second).toMatchObject({ kind: 'results', page: 2 });
    expect(go(second, 'click[next >]')).toMatchObject({ page: 3 });
    expect(go(second, 'click[< prev]')).toMatchObject({ kind: 'results', page: 1 });
    expect(refused(results, 'click[< prev]')).toMatch(/not clickable/);
    expect(refused(second, 'click[b0shirt001]')).toMatch(/not clickable/);
  });

  it('item: click[<option value>] sets options[name] = value; a later click in the same group replaces it', () => {
    const brown = go(item, 'click[dark brown]');
    expect(brown).toMatchObject({ kind: 'item', options: { color: 'dark brown' } });
    const both = go(go(brown, 'click[x-large]'), 'click[navy | white]');
    expect(both).toMatchObject({ options: { color: 'navy | white', size: 'x-large' } });
    expect(Object.keys((both as { options: object }).options)).toEqual(['color', 'size']);
  });

  it('item: description, features, reviews -> sub-pages; sub-page < prev -> item with options kept', () => {
    const chosen = go(item, 'click[white]');
    for (const [button, subPage] of [['description', 'Description'], ['features', 'Features'], ['reviews', 'Reviews']] as const) {
      const sub = go(chosen, `click[${button}]`);
      expect(sub).toMatchObject({ kind: 'sub_page', subPage, options: { color: 'white' } });
      expect(go(sub, 'click[< prev]')).toEqual(chosen);
    }
    expect(refused(item, 'click[attributes]')).toMatch(/not clickable/);
  });

  it('item: < prev -> the results page for the last keywords and page', () => {
    const onSecond = go(go(go(start, 'search[shirt]'), 'click[next >]'), 'click[< prev]');
    const fromItem = go(go(onSecond, 'click[b0shirt002]'), 'click[< prev]');
    expect(fromItem).toEqual(onSecond);
  });

  it('results, item, sub-page: back to search -> the search page, forgetting keywords and options', () => {
    const sub = go(go(item, 'click[white]'), 'click[features]');
    for (const page of [results, item, sub]) expect(go(page, 'click[back to search]')).toEqual({ kind: 'search' });
  });

  it('item: buy now -> done, scoring the product with the chosen options', () => {
    purchases.length = 0;
    const done = go(go(item, 'click[dark brown]'), 'click[buy now]');
    expect(done).toEqual({ kind: 'done', product: 0, options: { color: 'dark brown' }, reward: 0.5 });
    expect(purchases).toEqual([{ product: 0, options: { color: 'dark brown' } }]);
    expect(refused(done, 'click[back to search]')).toMatch(/not clickable/);
  });
});

describe('invalid actions', () => {
  it('says why, for each kind of mistake', () => {
    expect(refused(start, 'buy the shirt')).toMatch(/cannot read/);
    expect(refused(start, 'search[]')).toMatch(/cannot read/);
    expect(refused(start, 'Search[shirt]')).toMatch(/unknown action "Search"/);
    expect(refused(start, 'click[search]')).toMatch(/click\[search\] does nothing/);
    expect(refused(results, 'click[b0nothere1]')).toMatch(/"b0nothere1" is not clickable/);
    expect(refused(item, 'click[purple]')).toMatch(/not clickable/);
  });

  it('allows search[...] only where there is a search bar (upstream allows it anywhere)', () => {
    for (const page of [results, item]) expect(refused(page, 'search[oil]')).toMatch(/no search bar/);
  });

  it('treats the debug prefixes as plain text', () => {
    // "<r>" would list random products upstream; here it is the word "r", which no product has
    const page = go(start, 'search[<r> shirt]');
    const plain = go(start, 'search[shirt]');
    expect(page).toMatchObject({ kind: 'results', keywords: '<r> shirt' });
    expect(page.kind === 'results' && plain.kind === 'results' && page.hits).toEqual(plain.kind === 'results' && plain.hits);
    expect(page.kind === 'results' && page.hits.length).toBe(2);
    expect(go(start, 'search[<q> essential oils]')).toMatchObject({ hits: [2] });
  });
});

describe('pagination over a larger catalogue', () => {
  it('keeps at most 50 hits, 10 per page', async () => {
    const { loadWebshopData, fixtureDir } = await import('../../../src/envs/webshop/data-files.js');
    const { catalogue: big } = await loadWebshopData(fixtureDir());
    const bigContext = { ...context, catalogue: big, index: buildSearchIndex(big) };
    const page = transition(start, 'search[shirt shoes dress jeans oil tea]', bigContext);
    expect(page.ok && page.page.kind === 'results' && page.page.hits.length).toBe(50);
  });
});
