import { describe, expect, it } from 'vitest';
import { availableActions, clickTargets, productsOnPage, renderPage, type ShopPage } from '../../../src/envs/webshop/pages.js';
import { smallCatalogue } from './helpers.js';

const catalogue = smallCatalogue();
const I = 'find a shirt';
const results: ShopPage = { kind: 'results', keywords: 'shirt', hits: [0, 1], page: 1 };
const item: ShopPage = { kind: 'item', keywords: 'shirt', hits: [0, 1], page: 1, product: 0, options: {} };

describe('page text (text mode, " [SEP] " joined)', () => {
  it('search page', () => {
    expect(renderPage({ kind: 'search' }, I, catalogue)).toBe('WebShop [SEP] Instruction: [SEP] find a shirt [SEP] Search');
  });

  it('results page 1, and a later page with "< Prev"', () => {
    expect(renderPage(results, I, catalogue)).toBe(
      'Instruction: [SEP] find a shirt [SEP] Back to Search [SEP] Page 1 (Total results: 2) [SEP] Next > [SEP] ' +
        'B0SHIRT001 [SEP] Northvale Slim Fit Dress Shirt [SEP] $24.99 [SEP] B0SHIRT002 [SEP] Kestrel Oxford Shirt [SEP] $30.0 to $40.0',
    );
    expect(renderPage({ ...results, page: 2 }, I, catalogue)).toBe(
      'Instruction: [SEP] find a shirt [SEP] Back to Search [SEP] Page 2 (Total results: 2) [SEP] < Prev [SEP] Next >',
    );
  });

  it('item page: option groups, title, price, fixed buttons; chosen options do not show', () => {
    const text =
      'Instruction: [SEP] find a shirt [SEP] Back to Search [SEP] < Prev [SEP] color [SEP] white [SEP] dark brown [SEP] navy | white [SEP] ' +
      'size [SEP] large [SEP] x-large [SEP] Northvale Slim Fit Dress Shirt [SEP] Price: $24.99 [SEP] Rating: N.A. [SEP] ' +
      'Description [SEP] Features [SEP] Reviews [SEP] Buy Now';
    expect(renderPage(item, I, catalogue)).toBe(text);
    expect(renderPage({ ...item, options: { color: 'white' } }, I, catalogue)).toBe(text);
  });

  it('sub-pages: description, features (one part per bullet), reviews (always empty); empty texts are dropped', () => {
    const head = 'Instruction: [SEP] find a shirt [SEP] Back to Search [SEP] < Prev';
    const sub = (subPage: 'Description' | 'Features' | 'Reviews', product = 0): ShopPage => ({ ...item, product, kind: 'sub_page', subPage });
    expect(renderPage(sub('Description'), I, catalogue)).toBe(`${head} [SEP] A slim fit dress shirt, long sleeve, machine wash.`);
    expect(renderPage(sub('Features'), I, catalogue)).toBe(`${head} [SEP] Slim fit: tailored cut [SEP] Long sleeve with button cuffs`);
    expect(renderPage(sub('Reviews'), I, catalogue)).toBe(head);
    expect(renderPage(sub('Description', 3), I, catalogue)).toBe(head);
  });

  it('done page: purchased ASIN, options as json.dumps, reward as a Python float', () => {
    const done: ShopPage = { kind: 'done', product: 0, options: { color: 'dark brown', size: 'x-large' }, reward: 1 / 30 };
    expect(renderPage(done, I, catalogue)).toBe(
      'Thank you for shopping with us! [SEP] Your code: [SEP] None [SEP] (Paste it in your MTurk interface.) [SEP] Purchased [SEP] asin [SEP] B0SHIRT001 [SEP] ' +
        'options [SEP] {"color": "dark brown", "size": "x-large"} [SEP] attrs [SEP] None [SEP] category [SEP] None [SEP] query [SEP] None [SEP] ' +
        'product category [SEP] None [SEP] Target [SEP] asin [SEP] options [SEP] attrs [SEP] price upper [SEP] instuction text [SEP] category [SEP] ' +
        'product category [SEP] query [SEP] Goal [SEP] None [SEP] Reward [SEP] Your score (min 0.0, max 1.0) [SEP] 0.03333333333333333 [SEP] Reward Details [SEP] None',
    );
    expect(renderPage({ ...done, options: {}, reward: 1 }, I, catalogue)).toContain('options [SEP] {} [SEP]');
    expect(renderPage({ ...done, reward: 1 }, I, catalogue)).toContain('[SEP] 1.0 [SEP] Reward Details');
  });
});

describe('available actions', () => {
  it('lists buttons, then product links, then option values, per page', () => {
    expect(availableActions({ kind: 'search' }, catalogue)).toEqual({ has_search_bar: true, clickables: ['search'] });
    expect(availableActions(results, catalogue)).toEqual({ has_search_bar: false, clickables: ['back to search', 'next >', 'b0shirt001', 'b0shirt002'] });
    expect(availableActions({ ...results, page: 2 }, catalogue).clickables).toEqual(['back to search', '< prev', 'next >']);
    expect(availableActions(item, catalogue).clickables).toEqual([
      'back to search', '< prev', 'description', 'features', 'reviews', 'buy now', 'white', 'dark brown', 'navy | white', 'large', 'x-large',
    ]);
    expect(availableActions({ ...item, kind: 'sub_page', subPage: 'Features' }, catalogue).clickables).toEqual(['back to search', '< prev']);
    expect(availableActions({ kind: 'done', product: 0, options: {}, reward: 0 }, catalogue)).toEqual({ has_search_bar: false, clickables: [] });
  });

  it('keeps one entry for a value two option groups share: its first position, the last group', () => {
    const tea: ShopPage = { ...item, product: 3 };
    expect(availableActions(tea, catalogue).clickables.slice(6)).toEqual(['jasmine', 'mint']);
    expect(clickTargets(tea, catalogue).get('mint')).toEqual({ type: 'option', name: 'style', value: 'mint' });
  });

  it('shows ten products per results page', () => {
    const hits = Array.from({ length: 23 }, (_, i) => i);
    expect(productsOnPage({ keywords: '', hits, page: 3 })).toEqual([20, 21, 22]);
    expect(productsOnPage({ keywords: '', hits, page: 1 })).toHaveLength(10);
    expect(productsOnPage({ keywords: '', hits, page: 4 })).toEqual([]);
  });
});
