import type Docker from 'dockerode';
import { SandboxClosedError } from '../../errors.js';
import { HttpSandbox, pollHealth } from '../../sandbox/http-client.js';
import { LABELS, containerName } from './cleanup.js';
import { startSandboxContainer, tailLogs } from './container.js';
import type { DockerEngine } from './engine.js';
import type { ResolvedImage } from './images.js';

/**
 * The containers of one image in one run. Each container hosts many instances (up to the image's
 * `concurrency`); the pool starts another when all are busy, up to `containers`. A container that
 * dies is retired (removed) and the next lease starts a fresh one. One that may have stopped answering
 * (a call failed or timed out, or an episode gave up on a call that never came back) is suspect: it
 * gets no new episode while its /healthz is checked, then takes work again if it answered, or is
 * retired if it did not.
 */

export interface PooledContainer {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly sandbox: HttpSandbox;
  readonly container: Docker.Container;
  /** Episodes holding this container now. */
  leases: number;
  /** `suspect`: leased to no one while its health is checked; `retired`: removed (or being removed). */
  state: 'ready' | 'suspect' | 'retired';
  /** A health check in progress, shared by every episode that saw the container fail. */
  checking?: Promise<void>;
  /** Its removal, once started: a container is removed once, whoever asks first. */
  removal?: Promise<void>;
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
  #starting: Promise<PooledContainer> | undefined;
  #started = 0;
  #closed = false;
  /** Aborted by close(): health probes in progress stop, so none outlives the pool. */
  readonly #closing = new AbortController();

  constructor(options: ContainerPoolOptions) {
    this.#options = options;
    this.image = options.image;
  }

  /**
   * A container for one episode: the least busy one with room, else a new one (episodes that arrive
   * while it starts wait for it), else, at `containers`, the least busy. Suspect containers count
   * towards `containers` but get no episode: with none ready, the lease waits for their checks (bounded
   * by `recheckDeadlineMs`), which either bring them back or retire them and so make room.
   */
  async lease(): Promise<PooledContainer> {
    for (;;) {
      if (this.#closed) throw new SandboxClosedError('docker provider');
      const least = this.#ready.reduce<PooledContainer | undefined>((best, c) => (!best || c.leases < best.leases ? c : best), undefined);
      if (least && least.leases < this.image.concurrency) {
        least.leases += 1;
        return least;
      }
      // one start at a time; waiting for it beats overloading a container while room is on its way
      if (this.#starting) {
        await this.#starting;
        continue;
      }
      const checks = this.#every.flatMap((c) => (c.state === 'suspect' && c.checking ? [c.checking] : []));
      if (this.#ready.length + checks.length < this.image.containers) {
        await (this.#starting = this.#start().finally(() => (this.#starting = undefined)));
        continue;
      }
      if (least) {
        least.leases += 1;
        return least;
      }
      await Promise.race(checks);
    }
  }

  release(container: PooledContainer): void {
    container.leases = Math.max(0, container.leases - 1);
  }

  /**
   * Called when an episode gave up on a call to `container` that never answered (its time limit
   * passed): the container may be frozen, so it gets no new episode until its /healthz answers.
   */
  reportUnanswered(container: PooledContainer): void {
    void this.#suspect(container, 'left a call unanswered until its episode gave up');
  }

  /**
   * Called when a call to `container` failed for infrastructure reasons: retires it if it stopped or no
   * longer answers /healthz. The episode's error still goes to the runner, which retries the task.
   */
  reportFailure(container: PooledContainer): Promise<void> {
    return this.#suspect(container, 'failed a call');
  }

  /**
   * Ends the pool: removes its containers, or with `keep` leaves them (retired ones excepted) and says
   * which they are. Idempotent. Removal comes first: it resets the connections of calls a frozen
   * container never answered, which closing the connections would otherwise wait for.
   */
  async close(options: { keep: boolean }): Promise<KeptContainer[]> {
    this.#closed = true;
    this.#closing.abort();
    // a container still starting is part of the pool too
    await this.#starting?.catch(() => undefined);
    for (const container of this.#every) container.unwatch.abort();
    const kept = options.keep ? this.#every.filter((container) => container.state !== 'retired') : [];
    const removals = this.#every.filter((container) => !kept.includes(container)).map((container) => this.#remove(container));
    await Promise.all(removals);
    await Promise.all(this.#every.map((container) => container.sandbox.close()));
    this.#ready.length = 0;
    return kept.map(({ name, id, url }) => ({ name, id, url }));
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

  /** Takes `container` out of the lease rotation and checks it, once at a time; resolves when the check is done. */
  async #suspect(container: PooledContainer, why: string): Promise<void> {
    if (container.state === 'ready' && !this.#closed) {
      container.state = 'suspect';
      this.#dropFromReady(container);
      container.checking = this.#check(container, why).finally(() => (container.checking = undefined));
    }
    await container.checking;
  }

  /** Ends in `#retire` or back in the rotation. */
  async #check(container: PooledContainer, why: string): Promise<void> {
    let info: Docker.ContainerInspectInfo | undefined;
    try {
      info = await container.container.inspect();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return this.#retire(container, 'was removed');
      // the engine itself is in trouble: /healthz decides alone
    }
    if (info && !info.State.Running) return this.#retire(container, `exited with code ${info.State.ExitCode}`);
    const deadlineMs = this.#options.recheckDeadlineMs ?? 5_000;
    // close() cuts the polling short
    const last = await pollHealth({ url: container.url, deadlineMs, signal: this.#closing.signal });
    if (this.#closed) return;
    if (last !== undefined) {
      // a paused container is Running to the engine, and frozen: say so, as it may be why
      const paused = info?.State.Paused ? '; the engine says it is paused' : '';
      return this.#retire(container, `${why} and did not answer /healthz within ${deadlineMs} ms (${last}${paused})`);
    }
    if (container.state !== 'suspect') return;
    container.state = 'ready';
    this.#ready.push(container);
  }

  async #retire(container: PooledContainer, reason: string): Promise<void> {
    if (container.state === 'retired') return;
    container.state = 'retired';
    container.unwatch.abort();
    this.#dropFromReady(container);
    // once closed, close() removes or keeps it
    if (this.#closed) return;
    const logs = await tailLogs(container.container, 5);
    this.#options.log(
      `container ${container.name} (${this.image.ref}) ${reason}; it is removed and a fresh container takes its place (its episodes that failed as infrastructure errors are retried)${logs ? `. Last log lines:\n${logs.replace(/^/gm, '    ')}` : ''}`,
    );
    // removal resets the calls it never answered, so their episodes fail now rather than at the HTTP timeout
    void this.#remove(container);
  }

  #remove(container: PooledContainer): Promise<void> {
    container.removal ??= container.container.remove({ force: true, v: true }).then(
      () => undefined,
      () => undefined, // already gone (404) or being removed (409); cleanup --run finds any other leftover
    );
    return container.removal;
  }

  #dropFromReady(container: PooledContainer): void {
    const index = this.#ready.indexOf(container);
    if (index !== -1) this.#ready.splice(index, 1);
  }
}
