import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/seeded-random.js';
import { humanGoals, NO_PRICE_LIMIT, priceCeiling, rewardGoal, shuffleGoals, splitRanges, syntheticGoals } from '../../../src/envs/webshop/goals.js';
import { smallCatalogue } from './helpers.js';

describe('priceCeiling', () => {
  it('is the larger of two of the first four thresholds above the price, never the first', () => {
    const random = seededRandom(1);
    for (let k = 0; k < 200; k += 1) {
      const { priceUpper, clause } = priceCeiling(24.99, random);
      expect([40, 50, 60]).toContain(priceUpper);
      expect(clause).toBe(`, and price lower than ${priceUpper}.00 dollars`);
    }
    expect(priceCeiling(30, seededRandom(2)).priceUpper).toBeGreaterThan(40); // 30 is not above 30
  });

  it('has no limit and no clause when fewer than two thresholds lie above', () => {
    expect(priceCeiling(985, seededRandom(1))).toEqual({ priceUpper: NO_PRICE_LIMIT, clause: '' });
    expect(priceCeiling(975, seededRandom(1)).priceUpper).toBe(990);
  });
});

describe('goal lists', () => {
  it('human goals: one per instruction naming attributes, trailing "." stripped, price clause added', () => {
    const catalogue = smallCatalogue();
    const goals = humanGoals(
      catalogue,
      {
        B0OIL00003: [
          { instruction: 'i need tea tree oil.', instruction_attributes: ['tea tree'], instruction_options: [] },
          { instruction: 'no attributes here', instruction_attributes: [] },
        ],
        B0SHIRT001: [{ instruction: 'a dark brown slim fit shirt', instruction_attributes: ['slim fit'], instruction_options: ['dark brown'] }],
        B0MISSING0: [{ instruction: 'not in the catalogue', instruction_attributes: ['x'] }],
      },
      seededRandom(3),
    );
    expect(goals.map((goal) => goal.asin)).toEqual(['B0SHIRT001', 'B0OIL00003']);
    expect(goals[0]).toMatchObject({ attributes: ['slim fit'], goalOptions: ['dark brown'] });
    expect(goals[0]!.instruction).toMatch(/^a dark brown slim fit shirt, and price lower than (40|50|60)\.00 dollars$/);
    // the oil has no price (100.0): thresholds 110..140
    expect(goals[1]!.instruction).toMatch(/^i need tea tree oil, and price lower than 1[234]0\.00 dollars$/);
  });

  it('synthetic goals: one per option combination, option names sorted, pairs kept as a dict', () => {
    const goals = syntheticGoals(
      smallCatalogue(),
      {
        B0TEA00004: { attributes: ['jasmine'], instruction: 'Find me green tea', instruction_attributes: ['green tea'] },
        B0OIL00003: { attributes: [], instruction: 'Find me oil', instruction_attributes: ['oil'] },
        B0SHIRT001: { attributes: [] },
      },
      seededRandom(4),
    );
    const tea = goals.filter((goal) => goal.asin === 'B0TEA00004');
    expect(tea.map((goal) => goal.goalOptions)).toEqual([
      { 'flavor name': 'jasmine', style: 'mint' },
      { 'flavor name': 'mint', style: 'mint' },
    ]);
    expect(tea[0]!.instruction).toMatch(/^Find me green tea with flavor name: jasmine, and style: mint, and price lower than \d+\.00 dollars$/);
    const oil = goals.find((goal) => goal.asin === 'B0OIL00003')!;
    expect(oil.goalOptions).toEqual({});
    expect(oil.instruction).toMatch(/^Find me oil, and price lower than/);
    expect(goals).toHaveLength(3);
  });

  it('shuffles with CPython seed 233', () => {
    expect(shuffleGoals([...Array(10).keys()])).toEqual([5, 9, 0, 1, 4, 7, 6, 3, 8, 2]);
  });

  it('splits as upstream above 1,500 goals, by 20/20/60 below', () => {
    expect(splitRanges(12087)).toEqual({ test: { from: 0, to: 500 }, val: { from: 500, to: 1500 }, train: { from: 1500, to: 12087 } });
    expect(splitRanges(294)).toEqual({ test: { from: 0, to: 58 }, val: { from: 58, to: 116 }, train: { from: 116, to: 294 } });
    expect(splitRanges(1500).train).toEqual({ from: 600, to: 1500 });
  });

  it('gives the reward the target product\'s query, category, name and nouns', () => {
    const catalogue = smallCatalogue();
    const goal = rewardGoal({ asin: 'B0OIL00003', instruction: '', attributes: [], goalOptions: [], priceUpper: 10 }, catalogue);
    expect(goal).toMatchObject({ query: 'essential oils', name: 'Lumora Tea Tree Essential Oil', nouns: catalogue.nouns(2) });
    expect(() => rewardGoal({ asin: 'NOPE', instruction: '', attributes: [], goalOptions: [], priceUpper: 1 }, catalogue)).toThrow(/NOPE/);
  });
});
