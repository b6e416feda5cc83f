import type { Sandbox } from '../sandbox/types.js';

/** What a provider knows about the run it serves. */
export interface RunInfo {
  /** Unique per run; labels containers so a crashed run's leftovers can be found. */
  runId: string;
  /** The datasets the run will use, so `init` can check prerequisites and pull images once. */
  datasets: readonly string[];
}

/**
 * Where sandboxes come from: `embedded` (in-process), `remote` (running servers), `docker`.
 * Lifecycle modelled on Inspect AI's: init once, acquire/release per episode, close once.
 */
export interface SandboxProvider {
  readonly name: string;
  /** How many episodes this provider can run at once by default. */
  readonly defaultConcurrency: number;
  /** Once per run, before any episode: check prerequisites, start or reach sandboxes. */
  init(run: RunInfo): Promise<void>;
  /** Per episode: a sandbox serving `dataset` (may come from a pool). */
  acquire(dataset: string): Promise<Sandbox>;
  /** Always called, from a finally, for each acquired sandbox. */
  release(sandbox: Sandbox, options: { interrupted: boolean }): Promise<void>;
  /** Once, at the end of the run; `keep` leaves sandboxes running for debugging. */
  close(options: { keep: boolean }): Promise<void>;
  /** Removes what a crashed run left behind; returns how many resources were removed. */
  cleanupOrphans?(runId?: string): Promise<number>;
}
