import { describe, expect, it } from 'vitest';
import { Analyzer, STOP_WORDS, tokenize } from '../../../src/envs/webshop/analyzer.js';
import { quantizedLength, SearchIndex } from '../../../src/envs/webshop/search.js';

describe('analyzer', () => {
  it('splits words the Unicode word-break way for product text', () => {
    expect(tokenize("x-large women's 3.5 fl.oz 1,000 a,b u.s.a. 12oz a:b 1:2 café")).toEqual([
      'x', 'large', "women's", '3.5', 'fl.oz', '1,000', 'a', 'b', 'u.s.a', '12oz', 'a:b', '1', '2', 'café',
    ]);
  });

  it('lower-cases, drops possessives and the 33 stop words, and Porter-stems', () => {
    expect(STOP_WORDS.size).toBe(33);
    expect(new Analyzer().terms("The Women's Running Shoes with Essential Oils and Batteries")).toEqual([
      'women', 'run', 'shoe', 'essenti', 'oil', 'batteri',
    ]);
  });
});

describe('quantizedLength (Lucene norms)', () => {
  it('is exact below 24 and keeps 4 significant bits of the rest above', () => {
    expect([0, 1, 23, 24, 39, 40, 41, 56, 100].map(quantizedLength)).toEqual([0, 1, 23, 24, 39, 40, 40, 56, 96]);
  });
});

describe('SearchIndex', () => {
  const docs = [
    'red running shoes for women',
    'blue running shorts',
    'essential oil tea tree',
    'tea tree oil shampoo, tea tree conditioner',
    'green tea bags',
  ];
  const ids = ['D1', 'D2', 'D3', 'D4', 'D5'];
  const index = new SearchIndex({ ids, text: (i) => docs[i]! });

  it('ranks by BM25: rarer terms and higher frequency first, no hit without a shared term', () => {
    expect(index.search('running shoes', 10)).toEqual([0, 1]);
    // "tea tree": D4 has both twice; D3 once; D5 has only "tea"
    expect(index.search('tea tree', 10)).toEqual([3, 2, 4]);
    expect(index.search('laptop', 10)).toEqual([]);
    expect(index.search('the and of', 10)).toEqual([]);
  });

  it('weighs a repeated query term once per repetition', () => {
    // "oil" alone favours the shorter D3; "shampoo oil oil" still has D4 first through its rare "shampoo"
    expect(index.search('oil', 10)).toEqual([2, 3]);
    expect(index.search('shampoo oil oil', 10)[0]).toBe(3);
  });

  it('breaks score ties by id, and honours the limit', () => {
    const tied = new SearchIndex({ ids: ['B', 'A', 'C'], text: () => 'same words here' });
    expect(tied.search('words', 10)).toEqual([1, 0, 2]);
    expect(tied.search('words', 2)).toEqual([1, 0]);
    expect(tied.search('words', 0)).toEqual([]);
  });

  it('gives the same answer on repeated queries (the scratch buffer is reset)', () => {
    const first = index.search('tea tree oil', 10);
    index.search('running', 10);
    expect(index.search('tea tree oil', 10)).toEqual(first);
  });
});
