import type { Agent } from './types.js';

/**
 * Agents that work with any environment. Environment-specific ones (e.g. `oracle`) live on the
 * environment's `agents` map.
 */
export const builtinAgents: Readonly<Record<string, Agent>> = {
  /** Ends each turn at once with empty text: the floor any real agent should beat. */
  noop: () => ({ role: 'assistant', content: '' }),
};
