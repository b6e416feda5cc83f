import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * undici and dockerode on first use, not at import: the public entry re-exports the HTTP client, the
 * OpenAI agent and the Docker provider, and an eval file importing `sandbox-eval` should not pay
 * their load time (about 0.2 s together) unless it uses them. Both are CommonJS packages, so this is
 * the same instance an `import` would give.
 */
export function undici(): typeof import('undici') {
  return require('undici') as typeof import('undici');
}

export function dockerode(): typeof import('dockerode') {
  return require('dockerode') as typeof import('dockerode');
}
