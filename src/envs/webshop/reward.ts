import { normalizeColour, type OptionValue } from './colour.js';
import { tokenSetRatio } from './fuzz.js';
import { titleNouns } from './nouns.js';
import { pyTupleRepr } from './python-format.js';

/**
 * WebShop's reward for a purchase (upstream `get_reward`): attributes, options and price matched
 * against the goal, scaled by how well the product's type matches the goal's target product.
 *
 *     R = r_type x (N_att + N_opt + [price <= price_upper]) / (|A| + |O| + 1)
 */

/** What the reward reads of the purchased product. */
export interface RewardProduct {
  /** The product name (upstream `Title`, equal to `name`). */
  title: string;
  description: string;
  bulletPoints: readonly string[];
  /** Mined attribute phrases (upstream `Attributes`; `["DUMMY_ATTR"]` when the product has none). */
  attributes: readonly string[];
  /** The lower-cased scrape query the product was found under. */
  query: string;
  /** "A › B › C". */
  productCategory: string;
  /** The title's nouns; computed with `titleNouns` when absent. */
  nouns?: readonly string[];
}

/** What the reward reads of the goal, including its target product's query, category and name. */
export interface RewardGoal {
  attributes: readonly string[];
  /** Bare values (human goals) or `{name: value}` (synthetic goals, compared as `(name, value)` pairs). */
  goalOptions: readonly string[] | Readonly<Record<string, string>>;
  priceUpper: number;
  query: string;
  productCategory: string;
  /** The target product's name. */
  name: string;
  /** The target name's nouns; computed with `titleNouns` when absent. */
  nouns?: readonly string[];
}

export interface RewardInput {
  product: RewardProduct;
  goal: RewardGoal;
  /** The purchase price (a range-priced product's frozen price). */
  price: number;
  /** The chosen options, `{name: value}`; only the values are compared. */
  options: Readonly<Record<string, string>>;
}

/** The reward and its parts, named as upstream's verbose info names them. */
export interface RewardDetail {
  [key: string]: unknown;
  reward: number;
  r_type: number;
  query_match: boolean;
  category_match: boolean;
  title_score: number;
  /** Absent when the goal has no attributes (upstream divides by zero there). */
  r_att?: number;
  w_att: number;
  /** Absent when the goal has no options, as upstream. */
  r_option?: number;
  w_option?: number;
  r_price: boolean;
  w_price: number;
  num_attr_matches: number;
  num_option_matches: number;
}

const MATCH_THRESHOLD = 85;

export interface TypeReward {
  r_type: number;
  query_match: boolean;
  category_match: boolean;
  title_score: number;
}

function categoryParts(category: string): Set<string> {
  return new Set(category.split('\u203a').map((part) => part.trim()));
}

/** Whether the purchase is the same kind of product: query, category (2+ shared parts), title nouns. */
export function typeReward(product: RewardProduct, goal: RewardGoal): TypeReward {
  const queryMatch = product.query === goal.query;
  const goalParts = categoryParts(goal.productCategory);
  let shared = 0;
  for (const part of categoryParts(product.productCategory)) if (goalParts.has(part)) shared += 1;
  const categoryMatch = shared >= 2;
  const purchasedNouns = new Set(product.nouns ?? titleNouns(product.title));
  const desiredNouns = goal.nouns ?? titleNouns(goal.name);
  let titleScore = 0.2;
  if (desiredNouns.length > 0) {
    const desired = new Set(desiredNouns);
    let common = 0;
    for (const noun of purchasedNouns) if (desired.has(noun)) common += 1;
    titleScore = common / desiredNouns.length;
  }
  let rType = 1.0;
  if (!(queryMatch || categoryMatch || titleScore > 0.2)) rType = 0.5;
  if (titleScore < 0.1) rType = 0.1;
  if (titleScore === 0) rType = 0.0;
  return { r_type: rType, query_match: queryMatch, category_match: categoryMatch, title_score: titleScore };
}

/** N_att: goal attributes found fuzzily among the product's attributes, else verbatim in its text. */
export function attributeMatches(product: RewardProduct, goal: RewardGoal): number {
  let matches = 0;
  const title = product.title.toLowerCase();
  const bullets = product.bulletPoints.join(' ').toLowerCase();
  const description = product.description.toLowerCase();
  for (const wanted of goal.attributes) {
    const fuzzy = product.attributes.some((attribute) => tokenSetRatio(attribute, wanted) > MATCH_THRESHOLD);
    if (fuzzy || title.includes(wanted) || bullets.includes(wanted) || description.includes(wanted)) matches += 1;
  }
  return matches;
}

/** The goal options as upstream compares them: values, or `(name, value)` pairs for synthetic goals. */
function goalOptionValues(goal: RewardGoal): OptionValue[] {
  if (Array.isArray(goal.goalOptions)) return [...(goal.goalOptions as readonly string[])];
  return Object.entries(goal.goalOptions).map(([name, value]) => [name, value] as const);
}

/** What fuzzy matching sees of an option: the string, or a pair's Python text form `('size', 'large')`. */
function optionText(option: OptionValue): string {
  return typeof option === 'string' ? option : pyTupleRepr(option);
}

/** N_opt: goal options matched (after colour normalisation) by some chosen option value. */
export function optionMatches(chosen: readonly string[], goalOptions: readonly OptionValue[]): number {
  const purchased = chosen.map((value) => optionText(normalizeColour(value)));
  let matches = 0;
  for (const option of goalOptions) {
    const wanted = optionText(normalizeColour(option));
    if (purchased.some((value) => tokenSetRatio(value, wanted) > MATCH_THRESHOLD)) matches += 1;
  }
  return matches;
}

/** The reward of buying `product` with `options` at `price` for `goal`, with its parts. */
export function getReward(input: RewardInput): RewardDetail {
  const { product, goal, price, options } = input;
  const type = typeReward(product, goal);
  const goalOptions = goalOptionValues(goal);
  const attributes = attributeMatches(product, goal);
  const optionCount = optionMatches(Object.values(options), goalOptions);
  const rPrice = price <= goal.priceUpper;
  const denominator = goal.attributes.length + goalOptions.length + 1;
  let reward = (attributes + optionCount + (rPrice ? 1 : 0)) / denominator;
  reward *= type.r_type;
  const detail: RewardDetail = {
    reward,
    ...type,
    w_att: goal.attributes.length / denominator,
    r_price: rPrice,
    w_price: 1 / denominator,
    num_attr_matches: attributes,
    num_option_matches: optionCount,
  };
  if (goal.attributes.length > 0) detail.r_att = attributes / goal.attributes.length;
  if (goalOptions.length > 0) {
    detail.r_option = optionCount / goalOptions.length;
    detail.w_option = goalOptions.length / denominator;
  }
  return detail;
}
