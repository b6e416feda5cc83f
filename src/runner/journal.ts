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
  for (const episode of episodes) hash.update(`${episode.suite}\0${episode.dataset}\0${episode.split}\0${episode.taskId}\0${episode.trial}\n`);
  return hash.digest('hex').slice(0, 32);
}

export function episodeKey(result: { suite: string; taskId: string; trial: number }): string {
  return `${result.suite}\0${result.taskId}\0${result.trial}`;
}

/**
 * Results as JSON Lines, one per finished episode, written synchronously as each finishes so a crash
 * (even SIGKILL) loses nothing that finished. `--resume` reads it back and runs only what is missing.
 */
export class Journal {
  readonly #fd: number;

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
      journal.#write(header);
      for (const result of finished) journal.append(result);
      return { journal, header, finished };
    }
    const journal = new Journal(openSync(path, 'w'));
    journal.#write(options.header);
    return { journal, header: options.header, finished: [] };
  }

  append(result: TaskResult): void {
    this.#write(result);
  }

  close(): void {
    closeSync(this.#fd);
  }

  #write(value: unknown): void {
    writeSync(this.#fd, `${JSON.stringify(value)}\n`);
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
