import { ConfigError } from '../errors.js';
import { HttpSandbox, waitForHealthy } from '../sandbox/http-client.js';
import type { Sandbox } from '../sandbox/types.js';
import type { RunInfo, SandboxProvider } from './types.js';

export interface RemoteProviderOptions {
  /** Base URLs of running training-sandbox servers (ours or AgentScope containers). */
  urls: string[];
  /** Bearer token sent to every server. */
  token?: string;
  /** How long `init` waits for each server's /healthz; remote servers should already be up. @default 5_000 */
  healthDeadlineMs?: number;
}

/** Servers that are already running: one HttpSandbox per URL, handed out round-robin. */
export class RemoteProvider implements SandboxProvider {
  readonly name = 'remote';
  readonly defaultConcurrency: number;
  readonly #sandboxes: HttpSandbox[];
  readonly #healthDeadlineMs: number;
  #next = 0;
  #closing: Promise<void> | undefined;

  constructor(options: RemoteProviderOptions) {
    if (options.urls.length === 0) {
      throw new ConfigError('The remote provider needs at least one server URL: pass `--url http://host:port` (repeatable) or set `urls` in eval.config.ts.');
    }
    this.#sandboxes = options.urls.map((url) => new HttpSandbox({ url, ...(options.token ? { token: options.token } : {}) }));
    this.#healthDeadlineMs = options.healthDeadlineMs ?? 5_000;
    // a server handles a handful of episodes well; more URLs, more episodes
    this.defaultConcurrency = 8 * options.urls.length;
  }

  /** Checks every server's /healthz; fails with SandboxUnavailableError naming the first URL that is down. */
  async init(_run: RunInfo): Promise<void> {
    const checks = this.#sandboxes.map((sandbox) => waitForHealthy({ url: sandbox.url, deadlineMs: this.#healthDeadlineMs }));
    const results = await Promise.allSettled(checks);
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) {
      // the run never closes a provider whose init failed, so free the connections here
      await this.close({ keep: false });
      throw failed.reason;
    }
  }

  async acquire(_dataset: string): Promise<Sandbox> {
    const sandbox = this.#sandboxes[this.#next % this.#sandboxes.length]!;
    this.#next += 1;
    return sandbox;
  }

  /** Nothing to give back: the episode released its instance, and the connections are shared. */
  async release(_sandbox: Sandbox, _options: { interrupted: boolean }): Promise<void> {}

  /** Closes the connections. The servers are not ours, so `keep` changes nothing. */
  close(_options: { keep: boolean }): Promise<void> {
    this.#closing ??= Promise.all(this.#sandboxes.map((sandbox) => sandbox.close())).then(() => undefined);
    return this.#closing;
  }
}
