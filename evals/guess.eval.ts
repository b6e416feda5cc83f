import { defineEval, type Agent } from 'sandbox-eval';

/**
 * An agent written by hand: binary search on the env's "higher"/"lower" hints. A real agent would call
 * a model here (see README, "Writing an agent"); this one needs no API key.
 */
const bisect: Agent = ({ messages }) => {
  const range = /from (\d+) to (\d+)/.exec(messages[1]?.content ?? '');
  let low = Number(range?.[1] ?? 1);
  let high = Number(range?.[2] ?? 100);
  for (const { content } of messages) {
    const hint = /^(\d+) is wrong; the number is (higher|lower)/.exec(content);
    if (hint?.[2] === 'higher') low = Number(hint[1]) + 1;
    if (hint?.[2] === 'lower') high = Number(hint[1]) - 1;
  }
  return String(Math.floor((low + high) / 2));
};

export default defineEval({
  name: 'guess: binary search',
  dataset: 'guess',
  split: 'val',
  agent: bisect,
  maxSteps: 20,
  pass: 1,
});
