import { randomBytes } from 'node:crypto';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Where one spooled record lives, and what it sorts by. */
interface SpoolEntry {
  taskId: string;
  trial: number;
  offset: number;
  length: number;
}

/** Unwritten bytes past which append() waits for the disk. */
const MAX_PENDING_BYTES = 8 * 1024 * 1024;
const READ_WINDOW_BYTES = 1024 * 1024;

/** Records written together at `offset` (contiguous, in append order). */
interface Batch {
  offset: number;
  chunks: Buffer[];
  records: Array<{ entries: SpoolEntry[]; entry: SpoolEntry }>;
  done: Promise<void>;
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
  /** The records waiting for the write in flight to finish; undefined when none are. */
  #batch: Batch | undefined;
  /** Bytes appended but not yet written. */
  #pending = 0;
  /** The first write that failed. */
  #failure: unknown;
  /** True once a batch reached the file. */
  #created = false;
  readonly #suites = new Map<string, SpoolEntry[]>();

  /**
   * `nextTo`: a reporter's output file; the spool goes in that file's folder (created if missing),
   * hidden and uniquely named. Without it (a report to stdout), in `dir`, by default the temp folder.
   */
  constructor(options: { dir?: string; nextTo?: string | undefined }) {
    const stem = options.nextTo ? basename(options.nextTo) : 'sandbox-eval';
    const dir = options.dir ?? (options.nextTo ? dirname(options.nextTo) : tmpdir());
    this.path = join(dir, `.${stem}.${process.pid}.${randomBytes(4).toString('hex')}.spool`);
  }

  /**
   * Appends one record. Writes are serialised (bytes never interleave) and batched. Resolves once the
   * record is queued, or once it is written while the file is new or more than 8 MiB wait for the
   * disk. A write that failed rejects the next append and read().
   */
  append(suite: string, key: { taskId: string; trial: number }, record: unknown): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const bytes = Buffer.from(`${JSON.stringify(record)}\n`);
    const entry: SpoolEntry = { taskId: key.taskId, trial: key.trial, offset: this.#size, length: bytes.length };
    this.#size += bytes.length;
    let entries = this.#suites.get(suite);
    if (!entries) this.#suites.set(suite, (entries = []));
    entries.push(entry);
    // group commit: records that arrive while a write is in flight go out together in the next one,
    // so a fast run makes one write per batch, not one disk round trip per task
    const batch = this.#batch ?? this.#startBatch(entry.offset);
    batch.chunks.push(bytes);
    batch.records.push({ entries, entry });
    this.#pending += bytes.length;
    // write-behind: the caller goes on while the batch is written, unless too much waits for the disk
    // (then it waits too, so memory stays bounded) or the file does not exist yet (so a spool folder
    // that cannot be written fails the first task); a failed write surfaces at the next append or read
    return this.#pending > MAX_PENDING_BYTES || !this.#created ? batch.done : Promise.resolve();
  }

  #startBatch(offset: number): Batch {
    const batch: Batch = { offset, chunks: [], records: [], done: Promise.resolve() };
    this.#batch = batch;
    batch.done = this.#writes.then(async () => {
      // closed from here on: later records start the next batch
      this.#batch = undefined;
      const bytes = batch.chunks.length === 1 ? batch.chunks[0]! : Buffer.concat(batch.chunks);
      try {
        const handle = await this.#open();
        let written = 0;
        while (written < bytes.length) {
          const result = await handle.write(bytes, written, bytes.length - written, batch.offset + written);
          written += result.bytesWritten;
        }
        this.#created = true;
      } finally {
        this.#pending -= bytes.length;
      }
    });
    // Later batches wait for this one but must not inherit its failure: it is kept for the next append
    // and for read(), and its records are forgotten so the report never reads back bytes not written.
    this.#writes = batch.done.catch((error: unknown) => {
      this.#failure ??= error;
      for (const { entries, entry } of batch.records) entries.splice(entries.indexOf(entry), 1);
    });
    return batch;
  }

  /** The records of one suite as raw JSON text, in (taskId, trial) order. */
  async *read(suite: string): AsyncGenerator<string> {
    await this.#writes;
    if (this.#failure !== undefined) throw this.#failure;
    const entries = [...(this.#suites.get(suite) ?? [])].sort(compareTasks);
    if (entries.length === 0) return;
    const handle = await this.#open();
    // records sorted by task are mostly in file order already: one read fills a window that serves
    // the records after it, instead of one read per record
    let window = Buffer.alloc(READ_WINDOW_BYTES);
    let start = 0;
    let end = 0;
    for (const entry of entries) {
      if (entry.offset < start || entry.offset + entry.length > end) {
        if (entry.length > window.length) window = Buffer.alloc(entry.length);
        const { bytesRead } = await handle.read(window, 0, window.length, entry.offset);
        start = entry.offset;
        end = entry.offset + bytesRead;
      }
      const at = entry.offset - start;
      // the trailing newline is dropped: callers join records with their own separators
      yield window.toString('utf8', at, at + Math.max(0, Math.min(entry.length, end - entry.offset) - 1));
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
