/**
 * `sandbox-eval/webshop`: WebShop's scoring for offline use, e.g. re-scoring recorded purchases.
 */
export { tokenSetRatio, ratio, fullProcess } from './fuzz.js';
export { getReward, typeReward, attributeMatches, optionMatches } from './reward.js';
export type { RewardInput, RewardDetail, RewardGoal, RewardProduct, TypeReward } from './reward.js';
export { normalizeColour, COLOUR_WORDS } from './colour.js';
export type { OptionValue } from './colour.js';
export { titleNouns } from './nouns.js';
