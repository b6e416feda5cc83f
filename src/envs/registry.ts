import { UnknownDatasetError } from '../errors.js';
import type { Environment, EnvironmentDefinition, EnvironmentLoadOptions } from './types.js';

/**
 * Maps env type names to definitions and caches loaded environments per data directory, so every
 * instance of a run shares one loaded catalogue. One registry per run, server or test: no module state.
 */
export class EnvironmentRegistry {
  readonly #definitions = new Map<string, EnvironmentDefinition>();
  readonly #loaded = new Map<string, Promise<Environment>>();

  constructor(definitions: Iterable<EnvironmentDefinition> = []) {
    for (const definition of definitions) this.register(definition);
  }

  /** Adds or replaces a definition; a user's env may shadow a built-in of the same name. */
  register(definition: EnvironmentDefinition): this {
    this.#definitions.set(definition.name, definition);
    for (const key of this.#loaded.keys()) if (key.startsWith(`${definition.name}\0`)) this.#loaded.delete(key);
    return this;
  }

  has(name: string): boolean {
    return this.#definitions.has(name);
  }

  get names(): string[] {
    return [...this.#definitions.keys()].sort();
  }

  definition(name: string): EnvironmentDefinition {
    const definition = this.#definitions.get(name);
    if (!definition) throw new UnknownDatasetError(name, this.names);
    return definition;
  }

  /** Loads (once per data directory) and returns the environment named `name`. */
  load(name: string, options: EnvironmentLoadOptions = {}): Promise<Environment> {
    const definition = this.definition(name);
    const key = `${name}\0${options.dataDir ?? ''}`;
    let loaded = this.#loaded.get(key);
    if (!loaded) {
      loaded = Promise.resolve().then(() => definition.load(options));
      // a failed load is not cached, so fixing the data and retrying works in watch mode
      loaded.catch(() => this.#loaded.delete(key));
      this.#loaded.set(key, loaded);
    }
    return loaded;
  }
}
