import { availableParallelism } from 'node:os';
import type { EnvironmentRegistry } from '../envs/registry.js';
import { InProcessSandbox } from '../sandbox/in-process.js';
import { InstanceManager } from '../sandbox/instance-manager.js';
import type { Sandbox } from '../sandbox/types.js';
import type { RunInfo, SandboxProvider } from './types.js';

export interface EmbeddedProviderOptions {
  /** Where the run's env types are looked up. */
  registry: EnvironmentRegistry;
  /** Data directory per env type. */
  dataDirs?: Record<string, string>;
}

/** Environments in this process: no Docker, no network. The default provider. */
export class EmbeddedProvider implements SandboxProvider {
  readonly name = 'embedded';
  /** Episodes in-process cost little but the agent's own latency, so run many at once. */
  readonly defaultConcurrency = Math.max(4, availableParallelism() * 4);
  readonly #registry: EnvironmentRegistry;
  readonly #dataDirs: Record<string, string>;
  readonly #sandbox: InProcessSandbox;

  constructor(options: EmbeddedProviderOptions) {
    this.#registry = options.registry;
    this.#dataDirs = { ...options.dataDirs };
    // no idle expiry: the runner releases every instance, and an agent may think for many minutes
    this.#sandbox = new InProcessSandbox({
      manager: new InstanceManager({ registry: options.registry, dataDirs: this.#dataDirs, idleTimeoutMs: 0 }),
    });
  }

  /** Loads every dataset of the run once, so unknown names and bad data fail before any episode. */
  async init(run: RunInfo): Promise<void> {
    await Promise.all(
      run.datasets.map((dataset) => {
        const dataDir = this.#dataDirs[dataset];
        return this.#registry.load(dataset, dataDir === undefined ? {} : { dataDir });
      }),
    );
  }

  /** One sandbox serves every dataset and episode; instances keep episodes apart. */
  async acquire(_dataset: string): Promise<Sandbox> {
    return this.#sandbox;
  }

  /** Nothing to give back: the episode released its instance, and the sandbox is shared. */
  async release(_sandbox: Sandbox, _options: { interrupted: boolean }): Promise<void> {}

  /** Releases whatever instances are left. `keep` means nothing in-process: nothing outlives the run. */
  close(_options: { keep: boolean }): Promise<void> {
    return this.#sandbox.close();
  }
}
