import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';

const CHUNK = 64 * 1024;

/**
 * Where a file reporter writes its document: a file, replaced atomically (written under a temporary
 * name in the same folder, then renamed, so a crash never leaves half a report), or a stream.
 * Text is buffered into large chunks and a stream's backpressure is honoured.
 */
export class ReportOutput {
  readonly #file: string | undefined;
  readonly #stream: Writable | undefined;
  readonly #tempPath: string | undefined;
  #handle: FileHandle | undefined;
  #pending: string[] = [];
  #pendingLength = 0;

  private constructor(options: { file?: string; stream?: Writable }) {
    this.#file = options.file;
    this.#stream = options.stream;
    this.#tempPath = options.file ? `${options.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp` : undefined;
  }

  /** Opens the temporary file (creating missing folders) or wraps the stream. */
  static async open(options: { outputFile?: string; stdout: Writable }): Promise<ReportOutput> {
    if (options.outputFile === undefined) return new ReportOutput({ stream: options.stdout });
    // a device or a pipe (/dev/null, /dev/stdout, a FIFO) is written as it is: renaming a file over it
    // would replace the device itself (as root, /dev/null became a plain file)
    const existing = await stat(options.outputFile).catch(() => undefined);
    if (existing && (existing.isCharacterDevice() || existing.isFIFO() || existing.isSocket())) {
      const output = new ReportOutput({});
      output.#handle = await open(options.outputFile, 'w');
      return output;
    }
    const output = new ReportOutput({ file: options.outputFile });
    await mkdir(dirname(options.outputFile), { recursive: true });
    output.#handle = await open(output.#tempPath as string, 'w');
    return output;
  }

  /**
   * Writes a whole document with `body`: committed when it returns, aborted (leaving any previous
   * report untouched) when it throws.
   */
  static async writeDocument(options: { outputFile?: string; stdout: Writable }, body: (output: ReportOutput) => Promise<void>): Promise<void> {
    const output = await ReportOutput.open(options);
    try {
      await body(output);
      await output.commit();
    } catch (error) {
      await output.abort();
      throw error;
    }
  }

  async write(text: string): Promise<void> {
    this.#pending.push(text);
    this.#pendingLength += text.length;
    if (this.#pendingLength >= CHUNK) await this.#flush();
  }

  /** Flushes, then renames the file into place. */
  async commit(): Promise<void> {
    await this.#flush();
    if (!this.#handle) return;
    // a device or pipe written in place has nothing to sync or rename
    if (this.#tempPath) await this.#handle.sync();
    await this.#handle.close();
    this.#handle = undefined;
    if (this.#tempPath) await rename(this.#tempPath, this.#file as string);
  }

  /** Drops the temporary file after a failure; the previous report, if any, stays untouched. */
  async abort(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    // closing may fail for the same reason the write did; the file is removed either way
    await handle?.close().catch(() => undefined);
    if (this.#tempPath) await rm(this.#tempPath, { force: true });
  }

  async #flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const text = this.#pending.join('');
    this.#pending = [];
    this.#pendingLength = 0;
    if (this.#handle) {
      // writeFile on a handle continues at the current position and loops over short writes
      await this.#handle.writeFile(text);
    } else if (this.#stream && !this.#stream.write(text)) {
      await once(this.#stream, 'drain');
    }
  }
}
