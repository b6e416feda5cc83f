import { randomBytes } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { ConfigError, SandboxClosedError, UsageError } from '../../errors.js';
import type { Sandbox } from '../../sandbox/types.js';
import type { RunInfo, SandboxProvider } from '../types.js';
import { removeSandboxContainers } from './cleanup.js';
import { connectEngine, type DockerEngine } from './engine.js';
import { authFor, resolveImage, type DockerConfig, type ResolvedImage } from './images.js';
import { ContainerPool, type KeptContainer } from './pool.js';
import { PooledSandbox } from './pooled-sandbox.js';
import { ensureImage } from './pull.js';

export interface DockerProviderOptions {
  /** Images, registry prefix and credentials (the `docker` key of eval.config.ts). */
  config?: DockerConfig;
  /** Host data directories by dataset; mounted read-only into our image (local engines only). */
  dataDirs?: Record<string, string>;
  /** Where pull progress and notices go. @default process.stderr */
  stderr?: Writable;
  /** Read for the BFCL image's run-time settings (DATASET_SUB_TYPE, OPENAI_API_KEY). @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * Sandboxes in Docker containers (dockerode): `init` checks the engine, pulls each image the run
 * needs and starts one container per image; `acquire` leases a container from the image's pool; a
 * container that dies or stops answering is replaced; `close` removes every container of the run
 * unless asked to keep them. Containers carry the run id as a label, so `cleanupOrphans` finds what a
 * crash left behind.
 */
export class DockerProvider implements SandboxProvider {
  readonly name = 'docker';
  readonly #config: DockerConfig;
  readonly #dataDirs: Record<string, string>;
  readonly #stderr: Writable;
  readonly #env: NodeJS.ProcessEnv;
  /** Per run: our image requires it off loopback, so every container gets it and every call sends it. */
  readonly #token = randomBytes(24).toString('hex');
  /** Pools by image reference: datasets served by one image share its containers. */
  readonly #pools = new Map<string, ContainerPool>();
  readonly #datasetPools = new Map<string, ContainerPool>();
  readonly #late = new Map<string, Promise<ContainerPool>>();
  #engine: Promise<DockerEngine> | undefined;
  #run: RunInfo | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: DockerProviderOptions = {}) {
    this.#config = options.config ?? {};
    this.#dataDirs = { ...options.dataDirs };
    this.#stderr = options.stderr ?? process.stderr;
    this.#env = options.env ?? process.env;
  }

  /** The smallest capacity (containers x episodes each) of the run's images; 8 before `init`. */
  get defaultConcurrency(): number {
    const pools = [...this.#pools.values()];
    return pools.length ? Math.min(...pools.map(({ image }) => image.concurrency * image.containers)) : 8;
  }

  /** Checks the engine, pulls what is missing and starts one container per image. Cleans up after itself on failure. */
  async init(run: RunInfo): Promise<void> {
    this.#run = run;
    try {
      const engine = await this.#connect();
      const images = this.#resolve(engine, run.datasets);
      // one pull at a time keeps the progress lines readable; the first container of each image starts at once after
      for (const { image } of images.values()) await ensureImage({ engine, ref: image.ref, ...this.#auth(image), log: (line) => this.#log(line) });
      const pools = [...images.values()].map(({ image, datasets }) => this.#pool(engine, image, datasets));
      await Promise.all(pools.map(async (pool) => pool.release(await pool.lease())));
    } catch (error) {
      // the runner never closes a provider whose init failed
      await this.close({ keep: false });
      throw error;
    }
  }

  async acquire(dataset: string): Promise<Sandbox> {
    if (this.#closing) throw new SandboxClosedError('docker provider');
    const pool = this.#datasetPools.get(dataset) ?? (await this.#lateDataset(dataset));
    return new PooledSandbox(pool, await pool.lease());
  }

  /**
   * Ends the episode's lease. A call still unanswered now was given up on (the episode's time limit
   * passed, and its instance's release got no answer in time): unless the run was interrupted, the
   * pool checks that container before it gets another episode.
   */
  async release(sandbox: Sandbox, options: { interrupted: boolean }): Promise<void> {
    if (!(sandbox instanceof PooledSandbox)) return;
    sandbox.pool.release(sandbox.container);
    if (!options.interrupted && sandbox.pending > 0) sandbox.pool.reportUnanswered(sandbox.container);
    await sandbox.close();
  }

  /** Removes every container of the run; with `keep`, leaves them running and prints how to reach and remove them. Idempotent. */
  close(options: { keep: boolean }): Promise<void> {
    this.#closing ??= this.#shutdown(options.keep);
    return this.#closing;
  }

  /** Removes the containers of `runId` (every sandbox-eval container when absent); answers how many. */
  async cleanupOrphans(runId?: string): Promise<number> {
    const engine = await this.#connect();
    return removeSandboxContainers(engine.docker, runId);
  }

  #connect(): Promise<DockerEngine> {
    this.#engine ??= connectEngine().catch((error: unknown) => {
      this.#engine = undefined;
      throw error;
    });
    return this.#engine;
  }

  /** Images by reference, with the datasets each serves; checked before anything is pulled. */
  #resolve(engine: DockerEngine, datasets: readonly string[]): Map<string, { image: ResolvedImage; datasets: string[] }> {
    const byRef = new Map<string, { image: ResolvedImage; datasets: string[] }>();
    for (const dataset of datasets) {
      const image = resolveImage({ dataset, config: this.#config, arch: engine.arch, env: this.#env });
      this.#checkDataDir(engine, image, dataset);
      const entry = byRef.get(image.ref);
      if (!entry) {
        byRef.set(image.ref, { image, datasets: [dataset] });
        continue;
      }
      const runtime = ({ ref, name, ...rest }: ResolvedImage) => JSON.stringify(rest);
      if (runtime(entry.image) !== runtime(image)) {
        throw new ConfigError(
          `Datasets ${entry.datasets.join(', ')} and ${dataset} use image ${image.ref} with different settings in \`docker.images\`; they share its containers, so give them the same settings (or different images).`,
        );
      }
      entry.datasets.push(dataset);
    }
    return byRef;
  }

  #checkDataDir(engine: DockerEngine, image: ResolvedImage, dataset: string): void {
    const dir = this.#dataDirs[dataset];
    if (dir === undefined) return;
    if (image.server !== 'sandbox-eval') {
      throw new ConfigError(`A data directory was given for dataset "${dataset}", but its image ${image.ref} brings its own data and takes none. Drop \`--data.${dataset}\` (or \`data.${dataset}\`), or serve it from our image.`);
    }
    if (engine.remote) {
      throw new ConfigError(
        `A data directory was given for dataset "${dataset}", but the Docker engine is remote (DOCKER_HOST=${engine.address}) and cannot mount ${dir} from this machine. Use a local engine, or an image that holds the data.`,
      );
    }
    if (!isAbsolute(dir)) this.#dataDirs[dataset] = resolve(dir);
  }

  #pool(engine: DockerEngine, image: ResolvedImage, datasets: string[]): ContainerPool {
    const dataDirs = Object.fromEntries(datasets.filter((dataset) => this.#dataDirs[dataset] !== undefined).map((dataset) => [dataset, this.#dataDirs[dataset]!]));
    const pool = new ContainerPool({ engine, image, runId: this.#run!.runId, datasets, dataDirs, token: this.#token, log: (line) => this.#log(line) });
    this.#pools.set(image.ref, pool);
    for (const dataset of datasets) this.#datasetPools.set(dataset, pool);
    return pool;
  }

  /** A dataset `init` was not told about (a later watch run's): resolved, pulled and pooled on first use, once. */
  #lateDataset(dataset: string): Promise<ContainerPool> {
    if (!this.#run) return Promise.reject(new UsageError('DockerProvider.acquire was called before init(); call init({ runId, datasets }) first.'));
    let pending = this.#late.get(dataset);
    if (!pending) {
      pending = (async () => {
        const engine = await this.#connect();
        const { image } = this.#resolve(engine, [dataset]).values().next().value!;
        await ensureImage({ engine, ref: image.ref, ...this.#auth(image), log: (line) => this.#log(line) });
        const existing = this.#pools.get(image.ref);
        if (!existing) return this.#pool(engine, image, [dataset]);
        this.#datasetPools.set(dataset, existing);
        return existing;
      })();
      // a failure is not remembered: the next episode tries again
      pending.catch(() => this.#late.delete(dataset));
      this.#late.set(dataset, pending);
    }
    return pending;
  }

  #auth(image: ResolvedImage): { auth?: NonNullable<DockerConfig['auth']> } {
    const auth = authFor(image.ref, this.#config);
    return auth ? { auth } : {};
  }

  async #shutdown(keep: boolean): Promise<void> {
    const results = await Promise.allSettled([...this.#pools.values()].map((pool) => pool.close({ keep })));
    const kept: KeptContainer[] = results.flatMap((result) => (result.status === 'fulfilled' ? result.value : []));
    // every pool was tried; a failure is reported without hiding the run's own result
    for (const result of results) if (result.status === 'rejected') this.#log(`cleanup failed: ${(result.reason as Error)?.message ?? String(result.reason)}`);
    if (kept.length) this.#printKept(kept);
  }

  #printKept(kept: readonly KeptContainer[]): void {
    const runId = this.#run?.runId ?? '?';
    const dataset = this.#run?.datasets[0] ?? 'guess';
    const width = Math.max(...kept.map((container) => container.name.length));
    this.#log(
      [
        `kept ${kept.length} sandbox container${kept.length === 1 ? '' : 's'} of run ${runId} (--keep-sandboxes):`,
        ...kept.map((container) => `  ${container.name.padEnd(width)}  ${container.url}`),
        `Our image's server wants the header "Authorization: Bearer ${this.#token}" (AgentScope's take none), e.g.`,
        `  curl -H "Authorization: Bearer ${this.#token}" -d '{"env_type":"${dataset}","params":{"split":"train"}}' ${kept[0]!.url}/get_env_profile`,
        `Remove them with: sandbox-eval cleanup --run ${runId}   (or: docker rm -f ${kept.map((container) => container.name).join(' ')})`,
      ].join('\n'),
    );
  }

  #log(line: string): void {
    this.#stderr.write(`sandbox-eval: ${line}\n`);
  }
}
