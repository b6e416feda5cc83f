import type { Catalogue, RawAttributes } from './catalogue.js';
import { pyStripChars } from './python-format.js';
import { pythonShuffle } from '../python-random.js';
import type { RewardGoal } from './reward.js';

/**
 * Goals (shopping instructions) as upstream builds them, in upstream's order, and the splits over them.
 * Human goals come from crowd-sourced instructions, synthetic goals from the attribute file's mined
 * instructions times every combination of the product's options. Both get a price ceiling drawn from
 * the thresholds just above the product's price, then the list is shuffled as CPython's
 * `random.seed(233); random.shuffle(goals)` does, so goal k is upstream's goal k when the inputs match.
 */

export interface Goal {
  /** The target product. */
  readonly asin: string;
  /** The instruction shown to the agent, with its price clause. */
  readonly instruction: string;
  readonly attributes: readonly string[];
  /** Bare values (human goals) or `{name: value}` (synthetic goals). */
  readonly goalOptions: readonly string[] | Readonly<Record<string, string>>;
  readonly priceUpper: number;
}

/** One crowd-sourced instruction of upstream's `items_human_ins.json` (the fields we read). */
export interface HumanInstruction {
  instruction: string;
  instruction_attributes?: readonly string[];
  instruction_options?: readonly string[];
}

/** Price thresholds 10, 20, ..., 990. */
export const PRICE_THRESHOLDS: readonly number[] = Array.from({ length: 99 }, (_, i) => 10 * (i + 1));
/** The ceiling when no two thresholds lie above the price; no price clause is added then. */
export const NO_PRICE_LIMIT = 1_000_000;
/** Upstream's shuffle seed. */
export const GOAL_SHUFFLE_SEED = 233;

/**
 * A price ceiling for a product priced `price`: of the first four thresholds above the price, two
 * drawn at random, the larger kept. Upstream's draw is unseeded; ours uses `random` and goal files
 * freeze the result.
 */
export function priceCeiling(price: number, random: () => number): { priceUpper: number; clause: string } {
  const above = PRICE_THRESHOLDS.filter((threshold) => threshold > price).slice(0, 4);
  if (above.length < 2) return { priceUpper: NO_PRICE_LIMIT, clause: '' };
  const first = Math.floor(random() * above.length);
  let second = Math.floor(random() * (above.length - 1));
  if (second >= first) second += 1;
  const priceUpper = above[Math.max(first, second)]!;
  return { priceUpper, clause: `, and price lower than ${priceUpper.toFixed(2)} dollars` };
}

/** Human goals: every instruction that names at least one attribute, in product then instruction order. */
export function humanGoals(
  catalogue: Catalogue,
  instructions: Readonly<Record<string, readonly HumanInstruction[]>>,
  random: () => number,
): Goal[] {
  const goals: Goal[] = [];
  catalogue.products.forEach((product, index) => {
    if (!Object.hasOwn(instructions, product.asin)) return;
    for (const entry of instructions[product.asin]!) {
      const attributes = entry.instruction_attributes ?? [];
      if (attributes.length === 0) continue;
      const { priceUpper, clause } = priceCeiling(catalogue.price(index), random);
      goals.push({
        asin: product.asin,
        instruction: pyStripChars(entry.instruction, '.') + clause,
        attributes: [...attributes],
        goalOptions: [...(entry.instruction_options ?? [])],
        priceUpper,
      });
    }
  });
  return goals;
}

/** Every combination of one value per option, option names in sorted order (Python's itertools.product). */
function optionCombinations(options: readonly { name: string; values: readonly string[] }[]): Record<string, string>[] {
  const sorted = [...options].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let combinations: Record<string, string>[] = [{}];
  for (const option of sorted) {
    const next: Record<string, string>[] = [];
    for (const partial of combinations) for (const value of option.values) next.push({ ...partial, [option.name]: value });
    combinations = next;
  }
  return combinations;
}

/**
 * Synthetic goals: for each product whose attribute entry has an instruction, one goal per option
 * combination, "<instruction> with <name>: <value>, and <name>: <value><price clause>".
 */
export function syntheticGoals(
  catalogue: Catalogue,
  attributes: Readonly<Record<string, RawAttributes>>,
  random: () => number,
): Goal[] {
  const goals: Goal[] = [];
  catalogue.products.forEach((product, index) => {
    const entry = Object.hasOwn(attributes, product.asin) ? attributes[product.asin] : undefined;
    if (!entry?.instruction) return;
    const { priceUpper, clause } = priceCeiling(catalogue.price(index), random);
    for (const goalOptions of optionCombinations(product.options)) {
      const optionText = Object.entries(goalOptions).map(([name, value]) => `${name}: ${value}`).join(', and ');
      goals.push({
        asin: product.asin,
        instruction: `${entry.instruction}${optionText ? ` with ${optionText}` : ''}${clause}`,
        attributes: [...(entry.instruction_attributes ?? [])],
        goalOptions,
        priceUpper,
      });
    }
  });
  return goals;
}

/** Upstream's goal order: `random.seed(233); random.shuffle(goals)`. */
export function shuffleGoals<T>(goals: T[]): T[] {
  return pythonShuffle(goals, GOAL_SHUFFLE_SEED);
}

export type SplitName = 'train' | 'val' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'val', 'test'];

/** A split's goal indexes, `[from, to)`. */
export interface SplitRange {
  from: number;
  to: number;
}

/**
 * Upstream's splits are goal-index ranges: test 0-499, val 500-1499, train the rest. They need more
 * than 1,500 goals; a smaller goal set (the built-in fixtures, a filtered catalogue) is split in the
 * same order by proportion instead: test the first 20%, val the next 20%, train the remaining 60%.
 */
export function splitRanges(goalCount: number): Record<SplitName, SplitRange> {
  if (goalCount > 1500) {
    return { test: { from: 0, to: 500 }, val: { from: 500, to: 1500 }, train: { from: 1500, to: goalCount } };
  }
  const fifth = Math.floor(goalCount / 5);
  return {
    test: { from: 0, to: fifth },
    val: { from: fifth, to: 2 * fifth },
    train: { from: 2 * fifth, to: goalCount },
  };
}

/** The goal as the reward reads it, with its target product's query, category, name and nouns. */
export function rewardGoal(goal: Goal, catalogue: Catalogue): RewardGoal {
  const index = catalogue.indexOf(goal.asin);
  if (index === undefined) throw new RangeError(`Goal target ${goal.asin} is not in the catalogue`);
  const target = catalogue.product(index);
  return {
    attributes: goal.attributes,
    goalOptions: goal.goalOptions,
    priceUpper: goal.priceUpper,
    query: target.query,
    productCategory: target.productCategory,
    name: target.title,
    nouns: catalogue.nouns(index),
  };
}
