import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** The Chromium binary Debian's `chromium` package installs, if it is on PATH. */
export function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    if (!spawnSync(name, ['--version'], { stdio: 'ignore' }).error) return name;
  }
  return undefined;
}

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--no-first-run',
  '--no-default-browser-check',
  '--hide-scrollbars',
  '--remote-debugging-pipe',
];

interface Pending {
  resolve: (value: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

/**
 * Headless Chromium driven over its DevTools protocol on a pipe (fds 3 and 4; no port is opened):
 * just enough to load a page, run script in it as a person's clicks would, and take a screenshot.
 */
export class Browser {
  readonly #process: ChildProcess;
  readonly #profile: string;
  readonly #input: Writable;
  #buffer = '';
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #waiters: Array<{ method: string; resolve: () => void }> = [];
  #session = '';

  private constructor(process: ChildProcess, profile: string) {
    this.#process = process;
    this.#profile = profile;
    this.#input = process.stdio[3] as Writable;
    const output = process.stdio[4] as Readable;
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => this.#receive(chunk));
    process.on('exit', () => {
      for (const pending of this.#pending.values()) pending.reject(new Error('Chromium exited'));
      this.#pending.clear();
    });
  }

  static async launch(binary: string, size: { width: number; height: number }): Promise<Browser> {
    const profile = await mkdtemp(join(tmpdir(), 'se-chromium-'));
    const child = spawn(binary, [...FLAGS, `--user-data-dir=${profile}`, `--window-size=${size.width},${size.height}`, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
    });
    const browser = new Browser(child, profile);
    const { targetInfos } = (await browser.#send('Target.getTargets')) as { targetInfos: Array<{ targetId: string; type: string }> };
    const page = targetInfos.find((t) => t.type === 'page');
    if (!page) throw new Error('Chromium opened no page');
    const { sessionId } = (await browser.#send('Target.attachToTarget', { targetId: page.targetId, flatten: true })) as { sessionId: string };
    browser.#session = sessionId;
    await browser.#send('Page.enable', {}, sessionId);
    await browser.#send('Emulation.setDeviceMetricsOverride', { width: size.width, height: size.height, deviceScaleFactor: 1, mobile: false }, sessionId);
    return browser;
  }

  /**
   * Loads a URL as a fresh document and waits for its load event (scripts at the end of the body have
   * run by then). It goes through about:blank, since a URL that differs from the current one only in
   * its hash would be a same-document navigation, which fires no load event.
   */
  async goto(url: string): Promise<void> {
    for (const target of ['about:blank', url]) {
      const loaded = this.#waitFor('Page.loadEventFired');
      await this.#send('Page.navigate', { url: target }, this.#session);
      await loaded;
    }
  }

  /** Runs an expression in the page and returns its value (JSON-serialisable values only). */
  async evaluate<T>(expression: string): Promise<T> {
    const answer = (await this.#send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, this.#session)) as {
      result: { value?: T };
      exceptionDetails?: { exception?: { description?: string }; text?: string };
    };
    if (answer.exceptionDetails) {
      throw new Error(`page script failed: ${answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text}`);
    }
    return answer.result.value as T;
  }

  async screenshot(path: string, options: { fullPage?: boolean } = {}): Promise<Buffer> {
    const params: Record<string, unknown> = { format: 'png' };
    if (options.fullPage) {
      const { cssContentSize } = (await this.#send('Page.getLayoutMetrics', {}, this.#session)) as {
        cssContentSize: { width: number; height: number };
      };
      params.captureBeyondViewport = true;
      params.clip = { x: 0, y: 0, width: cssContentSize.width, height: cssContentSize.height, scale: 1 };
    }
    const { data } = (await this.#send('Page.captureScreenshot', params, this.#session)) as { data: string };
    const png = Buffer.from(data, 'base64');
    await writeFile(path, png);
    return png;
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.#process.exitCode !== null) resolve();
      else this.#process.once('exit', () => resolve());
    });
    await this.#send('Browser.close').catch(() => undefined); // it may exit before answering
    const timer = setTimeout(() => this.#process.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    await rm(this.#profile, { recursive: true, force: true });
  }

  #send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    const message = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`Chromium did not answer ${method} within 20 s`));
      }, 20_000);
      this.#pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      // messages on the pipe are NUL-terminated JSON
      this.#input.write(`${message}\0`);
    });
  }

  #waitFor(method: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`Chromium sent no ${method} within 20 s`));
      }, 20_000);
      const waiter = {
        method,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.#waiters.push(waiter);
    });
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    let end: number;
    while ((end = this.#buffer.indexOf('\0')) >= 0) {
      const message = JSON.parse(this.#buffer.slice(0, end)) as {
        id?: number;
        method?: string;
        result?: Record<string, unknown>;
        error?: { message: string };
      };
      this.#buffer = this.#buffer.slice(end + 1);
      if (message.id !== undefined) {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.error) pending?.reject(new Error(message.error.message));
        else pending?.resolve(message.result ?? {});
      } else if (message.method) {
        const index = this.#waiters.findIndex((w) => w.method === message.method);
        if (index >= 0) this.#waiters.splice(index, 1)[0]?.resolve();
      }
    }
  }
}
