import type { Readable, Writable } from 'node:stream';

/** What a key asks watch mode to do. */
export type KeyCommand = { type: 'all' } | { type: 'failed' } | { type: 'filter'; pattern: string } | { type: 'help' } | { type: 'quit' };

/** The terminal's input: raw mode is used when it is a TTY. */
export type KeyStream = Readable & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };

export interface KeyInputOptions {
  stdin: KeyStream;
  /** Where the task-filter prompt and what is typed into it are shown. */
  stdout: Writable;
  onCommand(command: KeyCommand): void;
}

const CTRL_C = '\x03';
const CTRL_D = '\x04';
const ESCAPE = '\x1b';
const BACKSPACES = new Set(['\x7f', '\b']);
const ENTER = new Set(['\r', '\n']);

/**
 * Single-key commands read from the terminal (raw mode on a TTY, so no Enter is needed): `a` all,
 * `f` failed, `t` a task filter typed at a prompt, `q` or Ctrl-C quit, `h` help. Keys pressed while
 * held (a run is in progress) wait until release, except quitting.
 */
export class KeyInput {
  readonly #stdin: KeyStream;
  readonly #stdout: Writable;
  readonly #onCommand: (command: KeyCommand) => void;
  readonly #raw: boolean;
  #held = false;
  #waiting: string[] = [];
  /** The filter being typed, while the prompt is open. */
  #prompt: string | undefined;
  #started = false;

  constructor(options: KeyInputOptions) {
    this.#stdin = options.stdin;
    this.#stdout = options.stdout;
    this.#onCommand = options.onCommand;
    this.#raw = options.stdin.isTTY === true && typeof options.stdin.setRawMode === 'function';
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    if (this.#raw) this.#stdin.setRawMode!(true);
    this.#stdin.setEncoding('utf8');
    this.#stdin.on('data', this.#onData);
    this.#stdin.resume();
  }

  /** Gives the terminal back as it was. */
  stop(): void {
    if (!this.#started) return;
    this.#started = false;
    this.#stdin.off('data', this.#onData);
    if (this.#raw) this.#stdin.setRawMode!(false);
    this.#stdin.pause();
  }

  /** While held, keys other than quit wait; releasing plays them. */
  hold(held: boolean): void {
    this.#held = held;
    while (!this.#held && this.#waiting.length > 0) this.#key(this.#waiting.shift()!);
  }

  readonly #onData = (chunk: string | Buffer): void => {
    const text = String(chunk);
    // an escape sequence (arrow keys, function keys) is one chunk: it is no command
    if (text.length > 1 && text.startsWith(ESCAPE)) return;
    for (const key of text) {
      if (this.#held && !this.#quits(key)) this.#waiting.push(key);
      else this.#key(key);
    }
  };

  #quits(key: string): boolean {
    return key === CTRL_C || key === CTRL_D || (key === 'q' && this.#prompt === undefined);
  }

  #key(key: string): void {
    if (this.#prompt !== undefined) return this.#promptKey(key);
    switch (key) {
      case 'a':
        return this.#onCommand({ type: 'all' });
      case 'f':
        return this.#onCommand({ type: 'failed' });
      case 'h':
        return this.#onCommand({ type: 'help' });
      case 'q':
      case CTRL_C:
      case CTRL_D:
        return this.#onCommand({ type: 'quit' });
      case 't':
        this.#prompt = '';
        this.#stdout.write('\nTask filter (a regular expression on task ids; Enter applies, empty clears, Esc cancels): ');
        return;
    }
  }

  #promptKey(key: string): void {
    const typed = this.#prompt ?? '';
    if (key === CTRL_C || key === CTRL_D) {
      this.#prompt = undefined;
      this.#stdout.write('\n');
      return this.#onCommand({ type: 'quit' });
    }
    if (ENTER.has(key)) {
      this.#prompt = undefined;
      if (this.#raw) this.#stdout.write('\n');
      return this.#onCommand({ type: 'filter', pattern: typed });
    }
    if (key === ESCAPE) {
      this.#prompt = undefined;
      this.#stdout.write(' (cancelled)\n');
      return;
    }
    if (BACKSPACES.has(key)) {
      if (typed.length === 0) return;
      this.#prompt = [...typed].slice(0, -1).join('');
      if (this.#raw) this.#stdout.write('\b \b');
      return;
    }
    if (key < ' ') return;
    this.#prompt = typed + key;
    // raw mode turns the terminal's echo off, so what is typed is shown here
    if (this.#raw) this.#stdout.write(key);
  }
}
