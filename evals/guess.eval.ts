import { defineEval, openaiAgent, type Agent } from 'sandbox-eval';

/**
 * An agent written by hand: binary search on the env's "higher"/"lower" hints. It needs no API key;
 * with OPENAI_API_KEY or OPENAI_BASE_URL set, the suite evaluates a model instead (OPENAI_MODEL).
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

const useModel = Boolean(process.env.OPENAI_API_KEY || process.env.OPENAI_BASE_URL);

export default defineEval({
  name: useModel ? 'guess: model' : 'guess: binary search',
  dataset: 'guess',
  split: 'val',
  agent: useModel ? openaiAgent({ model: process.env.OPENAI_MODEL ?? 'gpt-4o-mini', temperature: 0 }) : bisect,
  maxSteps: 20,
  pass: 1,
});
