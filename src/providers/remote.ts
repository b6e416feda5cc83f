import { ConfigError, SandboxClosedError, SandboxUnavailableError, describeValue, isSandboxEvalError } from '../errors.js';
import { HttpSandbox, checkHealth, waitForHealthy } from '../sandbox/http-client.js';
import type { Sandbox } from '../sandbox/types.js';
import type { RunInfo, SandboxProvider } from './types.js';

export interface RemoteProviderOptions {
  /** Base URLs of running training-sandbox servers (ours or AgentScope containers). */
  urls: string[];
  /** Bearer token sent to every server. */
  token?: string;
  /** How long `init` waits for each server's /healthz; remote servers should already be up. @default 5_000 */
  healthDeadlineMs?: number;
  /**
   * When every server is down, how long `acquire` waits for one to come back, counted from when the
   * last one went down (not per episode). Later, `acquire` fails at once with SandboxUnavailableError.
   * A server restart shorter than this fails no queued task; a fleet gone for good costs it once.
   * @default 10_000
   */
  recoveryWaitMs?: number;
}

/** First wait before probing a server that went down; doubled after every failed probe, up to PROBE_MAX_MS. */
const PROBE_FIRST_MS = 500;
const PROBE_MAX_MS = 10_000;
/** A probe that gets no answer in this time counts as down. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * One server: its connection, wrapped so that a call failing with SE_SANDBOX_UNAVAILABLE (refused,
 * reset, or an answer outside the protocol) tells the provider, which then stops handing it out.
 */
class RemoteServer implements Sandbox {
  readonly url: string;
  // health state below: written by RemoteProvider alone
  /** When it was marked down (ms since the epoch); undefined while it takes work. */
  downSince: number | undefined;
  /** The failure that marked it down, and the last probe's answer. */
  downError = '';
  lastProbe = '';
  /** Bumped each time it comes back, so a failed call sent before that is not held against it. */
  generation = 0;
  /** Wait before the next probe. */
  backoffMs = PROBE_FIRST_MS;
  probeTimer: NodeJS.Timeout | undefined;
  probeDueAt = 0;
  probing: AbortController | undefined;
  readonly #http: HttpSandbox;
  readonly #onUnavailable: (server: RemoteServer, generation: number, error: Error) => void;

  constructor(http: HttpSandbox, onUnavailable: (server: RemoteServer, generation: number, error: Error) => void) {
    this.url = http.url;
    this.#http = http;
    this.#onUnavailable = onUnavailable;
  }

  getEnvProfile(options: Parameters<Sandbox['getEnvProfile']>[0]) {
    return this.#observe(() => this.#http.getEnvProfile(options));
  }
  getTaskIds(options: Parameters<Sandbox['getTaskIds']>[0]) {
    return this.#observe(() => this.#http.getTaskIds(options));
  }
  createInstance(options: Parameters<Sandbox['createInstance']>[0]) {
    return this.#observe(() => this.#http.createInstance(options));
  }
  step(options: Parameters<Sandbox['step']>[0]) {
    return this.#observe(() => this.#http.step(options));
  }
  evaluate(options: Parameters<Sandbox['evaluate']>[0]) {
    return this.#observe(() => this.#http.evaluate(options));
  }
  getInfo(options: Parameters<Sandbox['getInfo']>[0]) {
    return this.#observe(() => this.#http.getInfo(options));
  }
  releaseInstance(options: Parameters<Sandbox['releaseInstance']>[0]) {
    return this.#observe(() => this.#http.releaseInstance(options));
  }
  close(): Promise<void> {
    return this.#http.close();
  }

  async #observe<T>(call: () => Promise<T>): Promise<T> {
    const generation = this.generation;
    try {
      return await call();
    } catch (error) {
      // the caller still gets the error; the provider only learns that this server is unusable
      if (isSandboxEvalError(error) && error.code === 'SE_SANDBOX_UNAVAILABLE') this.#onUnavailable(this, generation, error);
      throw error;
    }
  }
}

/**
 * Servers that are already running, handed out round-robin among those that are up. A server whose
 * call fails as unreachable is down: it gets no new episode, and its /healthz is probed in the
 * background (0.5 s, doubling to 10 s) until it answers, when it takes work again.
 */
export class RemoteProvider implements SandboxProvider {
  readonly name = 'remote';
  readonly defaultConcurrency: number;
  readonly #servers: RemoteServer[];
  readonly #healthDeadlineMs: number;
  readonly #recoveryWaitMs: number;
  /** Wakes the acquires waiting for a server; called when one comes back, and on close. */
  readonly #waiters = new Set<() => void>();
  #next = 0;
  #closing: Promise<void> | undefined;

  constructor(options: RemoteProviderOptions) {
    if (options.urls.length === 0) {
      throw new ConfigError('The remote provider needs at least one server URL: pass `--url http://host:port` (repeatable) or set `urls` in eval.config.ts.');
    }
    const recoveryWaitMs = options.recoveryWaitMs ?? 10_000;
    if (!Number.isInteger(recoveryWaitMs) || recoveryWaitMs < 0) {
      throw new ConfigError(`Expected \`recoveryWaitMs\` to be an integer from 0 and up, got ${describeValue(recoveryWaitMs)}.`);
    }
    this.#recoveryWaitMs = recoveryWaitMs;
    const onUnavailable = (server: RemoteServer, generation: number, error: Error) => this.#markDown(server, generation, error);
    this.#servers = options.urls.map((url) => new RemoteServer(new HttpSandbox({ url, ...(options.token ? { token: options.token } : {}) }), onUnavailable));
    this.#healthDeadlineMs = options.healthDeadlineMs ?? 5_000;
    // a server handles a handful of episodes well; more URLs, more episodes
    this.defaultConcurrency = 8 * options.urls.length;
  }

  /** Checks every server's /healthz; fails with SandboxUnavailableError naming the first URL that is down. */
  async init(_run: RunInfo): Promise<void> {
    const checks = this.#servers.map((server) => waitForHealthy({ url: server.url, deadlineMs: this.#healthDeadlineMs }));
    const results = await Promise.allSettled(checks);
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) {
      // the run never closes a provider whose init failed, so free the connections here
      await this.close({ keep: false });
      throw failed.reason;
    }
  }

  /**
   * The next server that is up. When all are down, waits for one to come back until `recoveryWaitMs`
   * after the last went down, then fails at once with SandboxUnavailableError (an infrastructure error,
   * which `--retries` runs again) instead of sending the episode to a server known to be down.
   */
  async acquire(_dataset: string): Promise<Sandbox> {
    for (;;) {
      if (this.#closing) throw new SandboxClosedError('remote provider');
      const server = this.#nextUp();
      if (server) return server;
      const lastDown = Math.max(...this.#servers.map((down) => down.downSince!));
      const remaining = lastDown + this.#recoveryWaitMs - Date.now();
      if (remaining <= 0) throw this.#allDownError();
      await this.#waitForServer(remaining);
    }
  }

  /** Nothing to give back: the episode released its instance, and the connections are shared. */
  async release(_sandbox: Sandbox, _options: { interrupted: boolean }): Promise<void> {}

  /** Stops the probes, fails waiting acquires, and closes the connections. The servers are not ours, so `keep` changes nothing. */
  close(_options: { keep: boolean }): Promise<void> {
    if (!this.#closing) {
      for (const server of this.#servers) {
        clearTimeout(server.probeTimer);
        server.probing?.abort();
      }
      this.#closing = Promise.all(this.#servers.map((server) => server.close())).then(() => undefined);
      this.#wakeWaiters();
    }
    return this.#closing;
  }

  /** Round robin among the servers that are up. */
  #nextUp(): RemoteServer | undefined {
    for (let k = 0; k < this.#servers.length; k += 1) {
      const index = (this.#next + k) % this.#servers.length;
      const server = this.#servers[index]!;
      if (server.downSince === undefined) {
        this.#next = index + 1;
        return server;
      }
    }
    return undefined;
  }

  #markDown(server: RemoteServer, generation: number, error: Error): void {
    // already down, or the call was sent before the server came back: nothing new is known
    if (this.#closing || server.downSince !== undefined || server.generation !== generation) return;
    server.downSince = Date.now();
    server.downError = error.message;
    server.lastProbe = '';
    server.backoffMs = PROBE_FIRST_MS;
    this.#scheduleProbe(server, PROBE_FIRST_MS);
  }

  #scheduleProbe(server: RemoteServer, delayMs: number): void {
    clearTimeout(server.probeTimer);
    server.probeDueAt = Date.now() + delayMs;
    // unref: a probe is no reason to keep the process alive (a waiting acquire holds its own timer)
    server.probeTimer = setTimeout(() => void this.#probe(server), delayMs).unref();
  }

  async #probe(server: RemoteServer): Promise<void> {
    server.probeTimer = undefined;
    server.probing = new AbortController();
    const answer = await checkHealth({ url: server.url, timeoutMs: PROBE_TIMEOUT_MS, signal: server.probing.signal });
    server.probing = undefined;
    if (this.#closing) return;
    if (answer.healthy) {
      server.downSince = undefined;
      server.generation += 1;
      this.#wakeWaiters();
      return;
    }
    server.lastProbe = answer.reason;
    server.backoffMs = Math.min(server.backoffMs * 2, PROBE_MAX_MS);
    // episodes are waiting for a server: probe at the first interval, so a restart is seen within it
    this.#scheduleProbe(server, this.#waiters.size > 0 ? PROBE_FIRST_MS : server.backoffMs);
  }

  /** Resolves when a server comes back, the provider closes, or `timeoutMs` passes. */
  #waitForServer(timeoutMs: number): Promise<void> {
    for (const server of this.#servers) {
      if (server.probeTimer && server.probeDueAt > Date.now() + PROBE_FIRST_MS) this.#scheduleProbe(server, PROBE_FIRST_MS);
    }
    return new Promise((resolve) => {
      // not unref'd: an acquire waits here with nothing else keeping the run alive, and the wait is bounded
      const timer = setTimeout(() => wake(), timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      this.#waiters.add(wake);
    });
  }

  #wakeWaiters(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  #allDownError(): SandboxUnavailableError {
    const now = Date.now();
    const servers = this.#servers.map((server) => {
      const since = server.downSince!;
      const probe = server.lastProbe ? `; last probe: ${server.lastProbe}` : '';
      return `${server.url} (down since ${new Date(since).toISOString()}, ${((now - since) / 1000).toFixed(1)} s ago: ${server.downError}${probe})`;
    });
    const all = this.#servers.length === 1 ? 'The only remote sandbox server is down' : `All ${this.#servers.length} remote sandbox servers are down`;
    return new SandboxUnavailableError(
      `${all}, so this episode was not started: ${servers.join('; ')}. ` +
        `No server came back within ${this.#recoveryWaitMs} ms of the last one going down; each is probed at /healthz in the background and gets work again once it answers. ` +
        'Check that the servers are running and reachable (restart them), then rerun; `--retries <n>` runs such episodes again.',
    );
  }
}
