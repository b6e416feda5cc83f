import { createProvider, type ProviderOptions } from '../providers/index.js';
import type { RunInfo, SandboxProvider } from '../providers/types.js';
import type { ProviderSource } from '../runner/run.js';

/**
 * One provider kept across watch runs, so sandboxes (and containers) stay warm. It is created and
 * initialised for the first run, handed to the next ones while their provider settings are the
 * same, and replaced when they change (an edited eval.config.ts naming another provider or data).
 */
export class WarmProvider {
  #current: { key: string; provider: SandboxProvider } | undefined;

  /** For `runEvals({ sharedProvider })`. */
  readonly source: ProviderSource = async (options: ProviderOptions, run: RunInfo) => {
    // the registry is the watch session's own, the same object every run
    const { registry: _registry, stderr: _stderr, ...settings } = options;
    const key = JSON.stringify(settings);
    if (this.#current?.key === key) return this.#current.provider;
    // superseded sandboxes are not kept, whatever --keep-sandboxes says
    await this.close({ keep: false });
    const provider = await createProvider(options);
    // a provider whose init failed has cleaned up after itself
    await provider.init(run);
    this.#current = { key, provider };
    return provider;
  };

  /** Closes the provider, if one was made; `keep` leaves its sandboxes running (`--keep-sandboxes`). */
  async close(options: { keep: boolean }): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    await current?.provider.close(options);
  }
}
