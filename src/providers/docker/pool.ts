import type Docker from 'dockerode';
import { SandboxClosedError } from '../../errors.js';
import { HttpSandbox, waitForHealthy } from '../../sandbox/http-client.js';
import { LABELS, containerName } from './cleanup.js';
import { startSandboxContainer, tailLogs } from './container.js';
import type { DockerEngine } from './engine.js';
import type { ResolvedImage } from './images.js';

/**
 * The containers of one image in one run. Each container hosts many instances (up to the image's
 * `concurrency`); the pool starts another when all are busy, up to `containers`. A container that
 * dies or stops answering is retired (removed) and the next lease starts a fresh one.
 */

export interface PooledContainer {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly sandbox: HttpSandbox;
  readonly container: Docker.Container;
  /** Episodes holding this container now. */
  leases: number;
  state: 'ready' | 'retired';
  /** A health check in progress after a failed call, shared by every episode that saw the failure. */
  checking?: Promise<void>;
  /** Stops the watch on the container's exit. */
  readonly unwatch: AbortController;
}

export interface ContainerPoolOptions {
  engine: DockerEngine;
  image: ResolvedImage;
  runId: string;
  /** The datasets of the run this image serves (a label, and the data directories to mount). */
  datasets: readonly string[];
  /** Host data directories by dataset, mounted into our image. */
  dataDirs: Record<string, string>;
  token: string;
  /** Notices for the user (a container died and is replaced). */
  log: (line: string) => void;
  /** How long a suspect container may take to answer /healthz before it is retired. @default 5000 */
  recheckDeadlineMs?: number;
}

/** What `close({ keep: true })` left running. */
export interface KeptContainer {
  name: string;
  id: string;
  url: string;
}

export class ContainerPool {
  readonly image: ResolvedImage;
  readonly #options: ContainerPoolOptions;
  readonly #ready: PooledContainer[] = [];
  readonly #every: PooledContainer[] = [];
  readonly #removals: Promise<unknown>[] = [];
  #starting: Promise<PooledContainer> | undefined;
  #started = 0;
  #closed = false;

  constructor(options: ContainerPoolOptions) {
    this.#options = options;
    this.image = options.image;
  }

  /** A container for one episode: the least busy one with room, else a new one, else the least busy. */
  async lease(): Promise<PooledContainer> {
    for (;;) {
      if (this.#closed) throw new SandboxClosedError('docker provider');
      const least = this.#ready.reduce<PooledContainer | undefined>((best, c) => (!best || c.leases < best.leases ? c : best), undefined);
      const full = this.#ready.length + (this.#starting ? 1 : 0) >= this.image.containers;
      if (least && (least.leases < this.image.concurrency || full)) {
        least.leases += 1;
        return least;
      }
      // one start at a time: episodes that arrive meanwhile wait for it, then look again
      await (this.#starting ??= this.#start().finally(() => (this.#starting = undefined)));
    }
  }

  release(container: PooledContainer): void {
    container.leases = Math.max(0, container.leases - 1);
  }

  /**
   * Called when a call to `container` failed for infrastructure reasons: retires it if it stopped or no
   * longer answers /healthz. The episode's error still goes to the runner, which retries the task.
   */
  async reportFailure(container: PooledContainer): Promise<void> {
    if (container.state !== 'ready') return;
    container.checking ??= this.#check(container).finally(() => (container.checking = undefined));
    await container.checking;
  }

  /** Ends the pool: removes its containers, or with `keep` leaves them and says which they are. Idempotent. */
  async close(options: { keep: boolean }): Promise<KeptContainer[]> {
    this.#closed = true;
    // a container still starting is part of the pool too
    await this.#starting?.catch(() => undefined);
    for (const container of this.#every) container.unwatch.abort();
    await Promise.all(this.#every.map((container) => container.sandbox.close()));
    const live = [...this.#ready];
    this.#ready.length = 0;
    if (!options.keep) this.#removals.push(...live.map((container) => container.container.remove({ force: true, v: true }).catch(() => undefined)));
    await Promise.all(this.#removals);
    return options.keep ? live.map(({ name, id, url }) => ({ name, id, url })) : [];
  }

  async #start(): Promise<PooledContainer> {
    const { engine, image, runId, token } = this.#options;
    this.#started += 1;
    const started = await startSandboxContainer({
      engine,
      image,
      name: containerName({ runId, image: image.name, index: this.#started }),
      labels: { [LABELS.run]: runId, [LABELS.dataset]: this.#options.datasets.join(','), [LABELS.image]: image.name },
      token,
      dataDirs: this.#options.dataDirs,
    });
    const container: PooledContainer = {
      ...started,
      sandbox: new HttpSandbox({ url: started.url, token }),
      leases: 0,
      state: 'ready',
      unwatch: new AbortController(),
    };
    this.#every.push(container);
    this.#ready.push(container);
    // closed while it started: close() waits for this start and removes it with the rest
    if (!this.#closed) this.#watch(container);
    return container;
  }

  /** Retires the container as soon as the engine says it exited, so no new episode is sent to it. */
  #watch(container: PooledContainer): void {
    container.container.wait({ abortSignal: container.unwatch.signal }).then(
      (result: { StatusCode?: number }) => this.#retire(container, `exited with code ${result.StatusCode ?? '?'}`),
      () => undefined, // aborted at close, or the engine connection dropped: failed calls still trigger a check
    );
  }

  async #check(container: PooledContainer): Promise<void> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await container.container.inspect();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return this.#retire(container, 'was removed');
      // the engine itself is in trouble: keep the container, the next failure checks again
      return;
    }
    if (!info.State.Running) return this.#retire(container, `exited with code ${info.State.ExitCode}`);
    try {
      await waitForHealthy({ url: container.url, deadlineMs: this.#options.recheckDeadlineMs ?? 5_000 });
    } catch {
      await this.#retire(container, 'stopped answering /healthz');
    }
  }

  async #retire(container: PooledContainer, reason: string): Promise<void> {
    if (container.state === 'retired') return;
    container.state = 'retired';
    container.unwatch.abort();
    const index = this.#ready.indexOf(container);
    if (index !== -1) this.#ready.splice(index, 1);
    if (this.#closed) return;
    const logs = await tailLogs(container.container, 5);
    this.#options.log(
      `container ${container.name} (${this.image.ref}) ${reason}; its episodes are retried on a fresh container${logs ? `. Last log lines:\n${logs.replace(/^/gm, '    ')}` : ''}`,
    );
    this.#removals.push(container.container.remove({ force: true, v: true }).catch(() => undefined));
  }
}
