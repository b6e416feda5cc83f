import { isAbsolute, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { Environment } from '../envs/types.js';
import { EvalFileError, UnknownAgentError, isSandboxEvalError } from '../errors.js';
import { defaultExport, loadModule } from '../load-module.js';
import { builtinAgents } from '../agents/builtins.js';
import type { Agent } from '../agents/types.js';

const MODULE_PATH = /[\\/]|\.(?:[cm]?[jt]s|tsx)$/;

/**
 * Turns an agent spec into an Agent: a function as is; a name from the environment's own agents, then
 * the global built-ins; or a path (relative to `root`) to a module whose default export is an agent.
 */
export async function resolveAgent(options: { spec: Agent | string; env?: Environment; root: string }): Promise<Agent> {
  const { spec, env, root } = options;
  if (typeof spec === 'function') return spec;
  const named = env?.agents?.[spec] ?? builtinAgents[spec];
  if (named) return named;
  if (!MODULE_PATH.test(spec)) {
    throw new UnknownAgentError(spec, [...Object.keys(env?.agents ?? {}), ...Object.keys(builtinAgents)]);
  }
  const path = isAbsolute(spec) ? spec : resolve(root, spec);
  if (!existsSync(path)) throw new EvalFileError(`Agent module ${spec} does not exist (looked at ${path}).`);
  let module;
  try {
    module = await loadModule(path);
  } catch (error) {
    if (isSandboxEvalError(error)) throw error;
    throw new EvalFileError(`Could not load agent module ${spec}: ${(error as Error).message}`, { cause: error });
  }
  const agent = defaultExport(module);
  if (typeof agent !== 'function') {
    throw new EvalFileError(`Agent module ${spec} must export an agent function as default: \`export default async ({ messages }) => 'answer'\`.`);
  }
  return agent as Agent;
}
