import type { Environment, EnvironmentDefinition, EnvironmentLoadOptions } from './types.js';
import { guessEnvironment } from './guess/index.js';

type Loader = (options: EnvironmentLoadOptions) => Environment | Promise<Environment>;

/** A built-in whose module is imported on its first load, so a run pays only for the environments it uses. */
function builtin(name: string, description: string, loader: () => Promise<Loader>): EnvironmentDefinition {
  return { name, description, load: async (options) => (await loader())(options) };
}

export const webshopEnvironment = builtin(
  'webshop',
  'WebShop: search a product catalogue, pick options, buy; reward as upstream (built-in catalogue, or --data with upstream files)',
  async () => (await import('./webshop/index.js')).loadWebshopEnvironment,
);

export const bfclEnvironment = builtin(
  'bfcl',
  'BFCL v4 multi-turn function calling (base, miss_func, miss_param, long_context), graded as BFCL grades it',
  async () => (await import('./bfcl/index.js')).loadBfclEnvironment,
);

/** AppWorld servers named by APPWORLD_ENVIRONMENT_URL, or a clear error saying how to get one. */
export const appworldBuiltin = builtin(
  'appworld',
  'AppWorld: 9 simulated apps driven by Python code (needs --provider docker, or APPWORLD_ENVIRONMENT_URL)',
  async () => (await import('./appworld/index.js')).loadAppworldBuiltin,
);

/** The environments every registry starts with. */
export const builtinEnvironments: readonly EnvironmentDefinition[] = [guessEnvironment, webshopEnvironment, bfclEnvironment, appworldBuiltin];
