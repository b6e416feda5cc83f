import type { EnvironmentDefinition } from './types.js';
import { guessEnvironment } from './guess/index.js';

/** The environments every registry starts with. */
export const builtinEnvironments: readonly EnvironmentDefinition[] = [guessEnvironment];
