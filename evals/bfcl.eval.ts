import { defineEval } from 'sandbox-eval';

/**
 * BFCL multi-turn with the `oracle` agent, which replays each turn's ground truth: a check that the
 * environment, the grading and the runner agree end to end. Without `data: { bfcl: DIR }` in the
 * config (or --data.bfcl=DIR) it runs the small data set written for this project (fixtures/bfcl);
 * point it at BFCL's own `bfcl_eval/data` for the real 200 base entries.
 */
export default defineEval({
  name: 'bfcl: oracle replay',
  dataset: 'bfcl',
  split: 'test',
  agent: 'oracle',
  maxSteps: 200,
});
