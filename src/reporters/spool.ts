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
/** Records are written in batches of about this many bytes: one write (and thread-pool hand-off) each. */
const WRITE_BATCH_BYTES = 256 * 1024;
const READ_WINDOW_BYTES = 1024 * 1024;

/** Records written together at `offset` (contiguous, in append order). */
interface Batch {
  offset: number;
  bytes: number;
  texts: string[];
  /** The batch's entries, and the suite list each is in (to forget them if the write fails). */
  entries: SpoolEntry[];
  lists: SpoolEntry[][];
}

const settled: Promise<void> = Promise.resolve();

// Numeric-aware so `task_2` sorts before `task_10`; a fixed locale keeps the order the same everywhere.
// Made on first use: building it loads ICU data, ~10 ms of every CLI start.
let collator: Intl.Collator | undefined;

/**
 * Natural order of (taskId, trial). The plan does not list tasks, so reporters order a suite's tasks by
 * this rather than by arrival, which depends on concurrency; ties that the collator sees as equal
 * (`a01` vs `a1`) fall back to code-unit order so the order is total.
 */
export function compareTasks(a: { taskId: string; trial: number }, b: { taskId: string; trial: number }): number {
  if (a.taskId !== b.taskId) {
    collator ??= new Intl.Collator('en', { numeric: true });
    return collator.compare(a.taskId, b.taskId) || (a.taskId < b.taskId ? -1 : 1);
  }
  return a.trial - b.trial;
}

/** A task id made of a plain ASCII prefix without digits and a number without leading zeros (`t12`, `task_7`, `7`). */
const NUMBERED_ID = /^([A-Za-z_\-./:]*)(0|[1-9]\d{0,14})$/;

/**
 * Sorts by compareTasks. When every id is one shared prefix and a number (the usual `t0`..`t999`), the
 * collator's order is the numbers' order, so they are compared as numbers: no collator is built and
 * no string is collated.
 */
function sortTasks<T extends { taskId: string; trial: number }>(entries: T[]): T[] {
  let prefix: string | undefined;
  const numbers = new Map<string, number>();
  for (const { taskId } of entries) {
    if (numbers.has(taskId)) continue;
    const match = NUMBERED_ID.exec(taskId);
    if (!match || (prefix !== undefined && match[1] !== prefix)) return entries.sort(compareTasks);
    prefix = match[1];
    numbers.set(taskId, Number(match[2]));
  }
  return entries.sort((a, b) => numbers.get(a.taskId)! - numbers.get(b.taskId)! || a.trial - b.trial);
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
  /** Records appended and not yet handed to a write; undefined when none are. */
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
    const text = `${JSON.stringify(record)}\n`;
    const length = Buffer.byteLength(text);
    const entry: SpoolEntry = { taskId: key.taskId, trial: key.trial, offset: this.#size, length };
    this.#size += length;
    let entries = this.#suites.get(suite);
    if (!entries) this.#suites.set(suite, (entries = []));
    entries.push(entry);
    // records gather into a batch written once it is large enough (or read back): a fast run makes
    // one write per batch, not a write (and a thread-pool round trip) per task
    const batch = (this.#batch ??= { offset: entry.offset, bytes: 0, texts: [], entries: [], lists: [] });
    batch.texts.push(text);
    batch.bytes += length;
    batch.entries.push(entry);
    batch.lists.push(entries);
    this.#pending += length;
    // write-behind: the caller goes on while the batch is written, unless too much waits for the disk
    // (then it waits too, so memory stays bounded) or the file does not exist yet (so a spool folder
    // that cannot be written fails the first task); a failed write surfaces at the next append or read
    if (!this.#created || this.#pending > MAX_PENDING_BYTES) return this.#write();
    if (batch.bytes >= WRITE_BATCH_BYTES) void this.#write().catch(() => undefined);
    return settled;
  }

  /** Hands the gathered batch to a write after the ones before it; resolves when it is written. */
  #write(): Promise<void> {
    const batch = this.#batch;
    if (!batch) return this.#writes;
    this.#batch = undefined;
    const done = this.#writes.then(async () => {
      const bytes = Buffer.from(batch.texts.length === 1 ? batch.texts[0]! : batch.texts.join(''));
      try {
        const handle = await this.#open();
        let written = 0;
        while (written < bytes.length) {
          const result = await handle.write(bytes, written, bytes.length - written, batch.offset + written);
          written += result.bytesWritten;
        }
        this.#created = true;
      } finally {
        this.#pending -= batch.bytes;
      }
    });
    // Later batches wait for this one but must not inherit its failure: it is kept for the next append
    // and for read(), and its records are forgotten so the report never reads back bytes not written.
    this.#writes = done.catch((error: unknown) => {
      this.#failure ??= error;
      const failed = new Set(batch.entries);
      for (const list of new Set(batch.lists)) {
        let kept = 0;
        for (const entry of list) if (!failed.has(entry)) list[kept++] = entry;
        list.length = kept;
      }
    });
    return done;
  }

  /** The records of one suite as raw JSON text, in (taskId, trial) order. */
  async *read(suite: string): AsyncGenerator<string> {
    // the last batch may still be gathering: it is written before anything is read back
    void this.#write().catch(() => undefined);
    await this.#writes;
    if (this.#failure !== undefined) throw this.#failure;
    const entries = sortTasks([...(this.#suites.get(suite) ?? [])]);
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
    // records not written yet are dropped with the file
    if (this.#batch) this.#pending -= this.#batch.bytes;
    this.#batch = undefined;
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
