import { describe, expect, it } from 'vitest';
import { COLOUR_WORDS, normalizeColour } from '../../../src/envs/webshop/colour.js';
import { titleNouns } from '../../../src/envs/webshop/nouns.js';
import {
  attributeMatches,
  getReward,
  optionMatches,
  typeReward,
  type RewardGoal,
  type RewardProduct,
} from '../../../src/envs/webshop/reward.js';

const product: RewardProduct = {
  title: 'Lush Natural Looking Clip In Hair Extensions',
  description: 'Soft and light.',
  bulletPoints: ['Heat Resistant fibre', 'Easy to apply'],
  attributes: ['natural looking', 'clip in'],
  query: 'hair extensions',
  productCategory: 'Beauty & Personal Care \u203a Hair Care \u203a Hair Extensions',
  nouns: ['hair', 'extensions'],
};

const goal: RewardGoal = {
  attributes: ['natural looking'],
  goalOptions: ['dark brown', '22 inch'],
  priceUpper: 40,
  query: 'hair extensions',
  productCategory: 'Beauty & Personal Care \u203a Hair Care \u203a Hair Extensions',
  name: 'Another Hair Extension Product',
  nouns: ['hair', 'extension', 'product', 'clip'],
};

describe('normalizeColour', () => {
  it('has upstream\'s 102 colour words', () => {
    expect(COLOUR_WORDS).toHaveLength(102);
    expect(new Set(COLOUR_WORDS).size).toBe(102);
  });

  it.each([
    ['dark brown', 'brown'],
    ['light grey', 'grey'],
    ['black | white | red', 'black'],
    ['standard', 'tan'],
    ['stonewash blue', 'ash'],
    ['22 inch', '22 inch'],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeColour(input)).toBe(expected);
  });

  it('treats a (name, value) pair as Python treats a tuple: membership, not substring', () => {
    expect(normalizeColour(['color', 'brown'])).toBe('brown');
    expect(normalizeColour(['color', 'dark brown'])).toEqual(['color', 'dark brown']);
  });
});

describe('getReward', () => {
  it('scores the spec\'s worked example: (1 + 1 + 1) / (1 + 2 + 1) = 0.75', () => {
    // title_score: purchased nouns {hair, extensions} vs desired [hair, extension, product, clip] -> 1/4
    const detail = getReward({ product, goal, price: 29.99, options: { color: 'dark brown' } });
    expect(detail.title_score).toBe(0.25);
    expect(detail.r_type).toBe(1);
    expect(detail.num_attr_matches).toBe(1);
    expect(detail.num_option_matches).toBe(1);
    expect(detail.r_price).toBe(true);
    expect(detail.reward).toBe(0.75);
    expect(detail.r_att).toBe(1);
    expect(detail.r_option).toBe(0.5);
    expect(detail.w_att).toBe(0.25);
    expect(detail.w_option).toBe(0.5);
    expect(detail.w_price).toBe(0.25);
  });

  it('loses the price term above the ceiling, and counts a matching option once per goal option', () => {
    const detail = getReward({ product, goal, price: 40.01, options: { color: 'dark brown', size: '22 inch' } });
    expect(detail.r_price).toBe(false);
    expect(detail.reward).toBe((1 + 2 + 0) / 4);
  });

  it('counts an attribute found in the text when the mined attributes miss it', () => {
    expect(attributeMatches({ ...product, attributes: ['DUMMY_ATTR'] }, { ...goal, attributes: ['heat resistant', 'easy to apply', 'waterproof'] })).toBe(2);
    // the substring check is case-sensitive on the goal side: goal attributes are lower-case upstream
    expect(attributeMatches({ ...product, attributes: [] }, { ...goal, attributes: ['Heat Resistant'] })).toBe(0);
  });

  it('compares synthetic goal options as (name, value) pairs', () => {
    // ('size', 'large') vs 'large': token sets {large, size} and {large} -> 100
    expect(optionMatches(['large'], [['size', 'large']])).toBe(1);
    // a colour value: the pair normalises to the colour word when the value is one
    expect(optionMatches(['dark brown'], [['color', 'brown']])).toBe(1);
    expect(optionMatches(['navy'], [['color', 'green stripe']])).toBe(0);
    // the pair's extra token costs "x-large": {x, large} vs {size, large} scores 83, under the 85 bar
    expect(optionMatches(['x-large'], [['size', 'large']])).toBe(0);
    const detail = getReward({
      product,
      goal: { ...goal, goalOptions: { size: 'large', color: 'brown' } },
      price: 10,
      options: { size: 'large', color: 'navy' },
    });
    expect(detail.num_option_matches).toBe(1);
    expect(detail.w_option).toBe(0.5);
  });

  it('omits r_option without goal options and r_att without goal attributes', () => {
    const detail = getReward({ product, goal: { ...goal, attributes: [], goalOptions: [] }, price: 10, options: {} });
    expect(detail.r_option).toBeUndefined();
    expect(detail.r_att).toBeUndefined();
    expect(detail.reward).toBe(1);
  });
});

describe('typeReward', () => {
  const base = { ...product, nouns: ['shirt', 'cotton'] };
  const target = { ...goal, nouns: ['shirt', 'cotton', 'men', 'dress'] };

  it('is 1 when query, category or nouns (> 0.2) match', () => {
    expect(typeReward(base, target)).toMatchObject({ r_type: 1, query_match: true, category_match: true, title_score: 0.5 });
  });

  it('is 0.5 with some noun overlap but no query or category match', () => {
    const other = { ...base, query: 'shirts', productCategory: 'Men \u203a Clothing', nouns: ['shirt'] };
    const fiveNouns = { ...target, nouns: ['shirt', 'cotton', 'men', 'dress', 'oxford'] };
    expect(typeReward(other, fiveNouns)).toEqual({ r_type: 0.5, query_match: false, category_match: false, title_score: 0.2 });
    // above 0.2 the nouns alone make the type match
    expect(typeReward(other, target)).toMatchObject({ r_type: 1, title_score: 0.25 });
  });

  it('is 0.1 below a tenth of the nouns, 0 with none', () => {
    const manyNouns = { ...target, nouns: Array.from({ length: 11 }, (_, i) => `n${i}`) };
    expect(typeReward({ ...base, nouns: ['n0'] }, manyNouns).r_type).toBe(0.1);
    expect(typeReward({ ...base, nouns: ['other'] }, target).r_type).toBe(0);
  });

  it('uses 0.2 when the target has no nouns; a category match needs two shared parts', () => {
    const result = typeReward({ ...base, query: 'x', productCategory: 'A \u203a B' }, { ...target, nouns: [], productCategory: 'A \u203a C' });
    expect(result).toEqual({ r_type: 0.5, query_match: false, category_match: false, title_score: 0.2 });
  });

  it('counts duplicate target nouns in the denominator', () => {
    expect(typeReward({ ...base, nouns: ['shirt'] }, { ...target, nouns: ['shirt', 'shirt', 'tee', 'top'] }).title_score).toBe(0.25);
  });
});

describe('titleNouns (approximation of spaCy NOUN/PROPN)', () => {
  it('keeps content words of a Title Case name and drops closed-class words and numbers', () => {
    expect(titleNouns("Northvale Slim Fit Dress Shirt for Men's, Pack of 2 - X-Large")).toEqual([
      'northvale', 'slim', 'fit', 'dress', 'shirt', 'men', 'pack', 'large',
    ]);
  });
});
