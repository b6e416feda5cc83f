import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { ConfigError } from '../errors.js';
import type { TaskResult } from '../reporters/types.js';

/** What a journal's first line records, so `--resume` can check it continues the same plan. */
export interface JournalHeader {
  journal: 1;
  fingerprint: string;
  runId: string;
  startedAt: string;
}

/** A fingerprint of the planned episodes: same suites, datasets, splits, tasks and trials. */
export function planFingerprint(episodes: Iterable<{ suite: string; dataset: string; split: string; taskId: string; trial: number }>): string {
  const hash = createHash('sha256');
  // hashed in chunks of many episodes: one update per episode costs more than the hashing itself
  let chunk = '';
  for (const episode of episodes) {
    chunk += `${episode.suite}\0${episode.dataset}\0${episode.split}\0${episode.taskId}\0${episode.trial}\n`;
    if (chunk.length >= 65_536) {
      hash.update(chunk);
      chunk = '';
    }
  }
  hash.update(chunk);
  return hash.digest('hex').slice(0, 32);
}

export function episodeKey(result: { suite: string; taskId: string; trial: number }): string {
  return `${result.suite}\0${result.taskId}\0${result.trial}`;
}

/**
 * Results as JSON Lines, one per finished episode, so a crash (even SIGKILL) loses nothing that
 * finished: `append` resolves only once the result is in the kernel, and the runner reports a task
 * only after that. `--resume` reads it back and runs only what is missing.
 */
export class Journal {
  readonly #fd: number;
  /** Results appended and not yet written. */
  #lines: string[] = [];
  /** Settles when #lines is written; undefined when nothing waits. */
  #flushing: Promise<void> | undefined;

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /**
   * Starts a fresh journal, or (resume) reopens one for the same plan and returns its finished results.
   * Results that errored on infrastructure are not kept on resume: they run again.
   */
  static open(options: { path: string; header: JournalHeader; resume: boolean }): { journal: Journal; header: JournalHeader; finished: TaskResult[] } {
    const { path, resume } = options;
    mkdirSync(dirname(path), { recursive: true });
    if (resume) {
      if (!existsSync(path)) throw new ConfigError(`Nothing to resume: no journal at ${path}. Run without --resume first.`);
      const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
      const header = parseLine<JournalHeader>(lines[0], path);
      if (header?.journal !== 1 || header.fingerprint !== options.header.fingerprint) {
        throw new ConfigError(`The journal at ${path} belongs to a different plan (suites, tasks or trials changed). Run without --resume to start over.`);
      }
      // the last line may be torn by a crash mid-write: anything unparsable is simply not finished
      const finished = lines
        .slice(1)
        .map((line) => parseLine<TaskResult>(line, path))
        .filter((result): result is TaskResult => result !== undefined && result.error?.kind !== 'infra');
      const journal = new Journal(openSync(path, 'w'));
      // the file was just emptied: what it held goes back before anything else happens
      journal.#lines = [JSON.stringify(header), ...finished.map((result) => JSON.stringify(result))];
      journal.#flush();
      return { journal, header, finished };
    }
    const journal = new Journal(openSync(path, 'w'));
    journal.#lines.push(JSON.stringify(options.header));
    journal.#flush();
    return { journal, header: options.header, finished: [] };
  }

  /**
   * Resolves once `result` is written to the journal file (in the kernel: a killed process keeps it).
   * Group commit: results appended in the same turn of the event loop (episodes finishing together)
   * share one write instead of one system call each. A failed write rejects every result it held.
   */
  append(result: TaskResult): Promise<void> {
    this.#lines.push(JSON.stringify(result));
    this.#flushing ??= new Promise<void>((resolve, reject) => {
      // after this turn, when every episode that could finish now has; an immediate rather than a
      // tick, so a run of in-process episodes (all microtasks) also lets I/O and timers through
      setImmediate(() => {
        this.#flushing = undefined;
        try {
          this.#flush();
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });
    return this.#flushing;
  }

  /** Writes what is still waiting, then closes the file. */
  close(): void {
    try {
      this.#flush();
    } finally {
      closeSync(this.#fd);
    }
  }

  #flush(): void {
    if (this.#lines.length === 0) return;
    const text = `${this.#lines.join('\n')}\n`;
    this.#lines = [];
    const written = writeSync(this.#fd, text);
    // a short write (a full disk, a signal) goes on from where it stopped, or fails with the reason
    if (written !== Buffer.byteLength(text)) {
      const bytes = Buffer.from(text);
      for (let at = written; at < bytes.length; ) at += writeSync(this.#fd, bytes, at);
    }
  }
}

function parseLine<T>(line: string | undefined, path: string): T | undefined {
  if (line === undefined) throw new ConfigError(`The journal at ${path} is empty. Run without --resume.`);
  try {
    return JSON.parse(line) as T;
  } catch {
    // a torn line from a crash: treated as not written
    return undefined;
  }
}
