import { randomBytes } from 'node:crypto';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Where one spooled record lives, and what it sorts by. */
interface SpoolEntry {
  taskId: string;
  trial: number;
  offset: number;
  length: number;
}

// Numeric-aware so `task_2` sorts before `task_10`; a fixed locale keeps the order the same everywhere.
const collator = new Intl.Collator('en', { numeric: true });

/**
 * Natural order of (taskId, trial). The plan does not list tasks, so reporters order a suite's tasks by
 * this rather than by arrival, which depends on concurrency; ties that the collator sees as equal
 * (`a01` vs `a1`) fall back to code-unit order so the order is total.
 */
export function compareTasks(a: { taskId: string; trial: number }, b: { taskId: string; trial: number }): number {
  if (a.taskId !== b.taskId) {
    return collator.compare(a.taskId, b.taskId) || (a.taskId < b.taskId ? -1 : 1);
  }
  return a.trial - b.trial;
}

/**
 * An append-only file of JSON lines, one per finished task, grouped by suite. Reporters that must write
 * a suite's tasks together (JSON, JUnit) get results interleaved across suites; they spool each record
 * here and keep only its offset, so memory stays flat however long the trajectories are.
 */
export class ResultSpool {
  readonly path: string;
  #handle: Promise<FileHandle> | undefined;
  #size = 0;
  #writes: Promise<void> = Promise.resolve();
  readonly #suites = new Map<string, SpoolEntry[]>();

  /** `nextTo`: the spool goes in that file's folder (created if missing), hidden and uniquely named. */
  constructor(options: { dir: string; nextTo?: string }) {
    const stem = options.nextTo ? basename(options.nextTo) : 'sandbox-eval';
    this.path = join(options.dir, `.${stem}.${process.pid}.${randomBytes(4).toString('hex')}.spool`);
  }

  /** Appends one record; writes are serialised so concurrent calls cannot interleave bytes. */
  append(suite: string, key: { taskId: string; trial: number }, record: unknown): Promise<void> {
    const bytes = Buffer.from(`${JSON.stringify(record)}\n`);
    const entry: SpoolEntry = { taskId: key.taskId, trial: key.trial, offset: this.#size, length: bytes.length };
    this.#size += bytes.length;
    let entries = this.#suites.get(suite);
    if (!entries) this.#suites.set(suite, (entries = []));
    entries.push(entry);
    const write = this.#writes.then(async () => {
      const handle = await this.#open();
      let written = 0;
      while (written < bytes.length) {
        const result = await handle.write(bytes, written, bytes.length - written, entry.offset + written);
        written += result.bytesWritten;
      }
    });
    // Later appends wait for this one but must not inherit its failure: the caller sees it, and the
    // record is forgotten so the report never reads back bytes that were not written.
    this.#writes = write.catch(() => {
      entries.splice(entries.indexOf(entry), 1);
    });
    return write;
  }

  /** The records of one suite as raw JSON text, in (taskId, trial) order. */
  async *read(suite: string): AsyncGenerator<string> {
    await this.#writes;
    const entries = [...(this.#suites.get(suite) ?? [])].sort(compareTasks);
    if (entries.length === 0) return;
    const handle = await this.#open();
    let buffer = Buffer.alloc(64 * 1024);
    for (const entry of entries) {
      if (entry.length > buffer.length) buffer = Buffer.alloc(entry.length);
      const { bytesRead } = await handle.read(buffer, 0, entry.length, entry.offset);
      // the trailing newline is dropped: callers join records with their own separators
      yield buffer.toString('utf8', 0, Math.max(0, bytesRead - 1));
    }
  }

  /** Closes and deletes the spool file. Safe to call more than once. */
  async remove(): Promise<void> {
    await this.#writes;
    const handle = this.#handle;
    this.#handle = undefined;
    // when opening failed there is no handle to close, and the append already reported the failure
    if (handle) await handle.then((h) => h.close(), () => undefined);
    await rm(this.path, { force: true });
  }

  #open(): Promise<FileHandle> {
    this.#handle ??= mkdir(dirname(this.path), { recursive: true }).then(() => open(this.path, 'w+'));
    return this.#handle;
  }
}
