import { defineEval } from 'sandbox-eval';

/**
 * WebShop with the built-in rule-based agent (search the instruction, open the best hit, pick the
 * options the instruction names, buy). Gated on the suite's mean reward rather than on every task:
 * a heuristic agent buys a near miss now and then, and the reward says how near.
 */
export default defineEval({
  name: 'webshop: rule agent',
  dataset: 'webshop',
  split: 'test',
  tasks: { limit: 50 },
  agent: 'webshop-rule',
  maxSteps: 15,
  thresholds: { meanReward: 0.85 },
});
