import { createRequire, register } from 'node:module';
import { sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { UsageError } from '../errors.js';
import { registerTypeScript } from '../load-module.js';
import type { HookData, HookMessage, ImportEdge, MainMessage } from './module-hooks.js';

export type { ImportEdge } from './module-hooks.js';

const require = createRequire(import.meta.url);
/** This package's own modules (dist/ when built): an eval file's `import 'sandbox-eval'` must get the loaded copy. */
const OWN_MODULES = new URL('../', import.meta.url);

/** Loader hooks are process-wide and cannot be unregistered, so the one registration is shared. */
let registration: { root: string; modules: Promise<FreshModules> } | undefined;

/**
 * Generations of the project's modules, for watch mode: after `next()`, importing an eval file
 * evaluates it and every project module it imports anew (ES modules through a resolve hook that
 * versions their URLs, CommonJS ones by dropping them from require's cache), while packages in
 * node_modules and sandbox-eval itself stay loaded once. `imports()` answers which project module
 * imported which in the current generation.
 */
export class FreshModules {
  readonly #root: string;
  readonly #generation: Int32Array;
  readonly #port: MessagePort;
  #edges: ImportEdge[] = [];
  #flushes = new Map<number, () => void>();
  #nextFlush = 0;

  private constructor(root: string, generation: Int32Array, port: MessagePort) {
    this.#root = root.endsWith(sep) ? root : `${root}${sep}`;
    this.#generation = generation;
    this.#port = port;
    port.on('message', (message: HookMessage) => {
      if (message.type === 'edge') this.#edges.push(message);
      else this.#flushes.get(message.id)?.();
    });
    port.unref();
  }

  /** Registers the hooks (after the TypeScript ones, so they wrap them) once per process, for one project root. */
  static start(options: { root: string }): Promise<FreshModules> {
    if (registration) {
      if (registration.root !== options.root) {
        throw new UsageError(`Watch mode watches one project per process: it watches ${registration.root} already, and was asked for ${options.root}. Start another process.`);
      }
      return registration.modules;
    }
    const modules = (async () => {
      await registerTypeScript();
      const generation = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
      const { port1, port2 } = new MessageChannel();
      const rootUrl = pathToFileURL(options.root.endsWith(sep) ? options.root : `${options.root}${sep}`).href;
      const data: HookData = { root: rootUrl, exclude: [OWN_MODULES.href], generation, port: port2 };
      register(new URL('./module-hooks.js', import.meta.url), { data, transferList: [port2] });
      return new FreshModules(options.root, generation, port1);
    })();
    registration = { root: options.root, modules };
    return modules;
  }

  get generation(): number {
    return Atomics.load(this.#generation, 0);
  }

  /** Starts a new generation: project modules imported from now on are evaluated anew. Returns its number. */
  next(): number {
    const generation = Atomics.add(this.#generation, 0, 1) + 1;
    for (const file of Object.keys(require.cache)) if (this.#isProjectFile(file)) delete require.cache[file];
    this.#edges = [];
    return generation;
  }

  /**
   * The imports of project modules seen in this generation: ES module imports as the hooks reported
   * them (after a round trip, so none is still in flight), and CommonJS requires from require's cache.
   */
  async imports(): Promise<ImportEdge[]> {
    await this.#flush();
    const generation = this.generation;
    const edges = this.#edges.filter((edge) => edge.generation === generation);
    for (const [file, module] of Object.entries(require.cache)) {
      if (!module || !this.#isProjectFile(file)) continue;
      for (const child of module.children) {
        if (this.#isProjectFile(child.filename)) edges.push({ parent: withoutQuery(file), child: withoutQuery(child.filename), generation });
      }
    }
    return edges;
  }

  #flush(): Promise<void> {
    const id = this.#nextFlush++;
    // held open only while waiting, so an idle watcher does not depend on it to stay alive
    this.#port.ref();
    return new Promise<void>((resolve) => {
      this.#flushes.set(id, () => {
        this.#flushes.delete(id);
        if (this.#flushes.size === 0) this.#port.unref();
        resolve();
      });
      this.#port.postMessage({ type: 'flush', id } satisfies MainMessage);
    });
  }

  #isProjectFile(file: string): boolean {
    return file.startsWith(this.#root) && !file.split(sep).includes('node_modules') && !pathToFileURL(file).href.startsWith(OWN_MODULES.href);
  }
}

/** Node 22 keeps the `?v=<generation>` of a module loaded through the ESM loader in its CommonJS filename. */
function withoutQuery(file: string): string {
  const query = file.indexOf('?');
  return query === -1 ? file : file.slice(0, query);
}
