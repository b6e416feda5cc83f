/**
 * Module loader hooks for watch mode. They run on Node's hooks thread (registered with
 * `module.register`), so this file imports nothing of ours and keeps its state to what `register`
 * hands it.
 *
 * Every project module (a file: URL under the root, outside node_modules and outside this package)
 * resolves to its URL plus `?v=<generation>`: a new generation imports the user's eval files, agents and
 * helpers anew, while libraries (sandbox-eval itself, undici, ...) keep the one loaded copy.
 */
import type { InitializeHook, ResolveHook } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';

/** What `register` passes to the hooks thread. */
export interface HookData {
  /** The project root as a file: URL, with a trailing slash. */
  root: string;
  /** file: URL prefixes that are never made fresh: this package's own modules. */
  exclude: string[];
  /**
   * The current generation at index 0, in memory shared with the main thread: an import started
   * after the main thread bumped it sees the new value (a message could arrive after the import).
   */
  generation: Int32Array;
  /** Edges go out on it; a `flush` comes back as `flushed` once every earlier edge has been posted. */
  port: MessagePort;
}

/** One import of a project module: `parent` is absent when the importer is not a project module. */
export interface ImportEdge {
  parent?: string;
  child: string;
  generation: number;
}

export type HookMessage = ({ type: 'edge' } & ImportEdge) | { type: 'flushed'; id: number };
export type MainMessage = { type: 'flush'; id: number };

let data: HookData | undefined;

export const initialize: InitializeHook<HookData> = (given) => {
  data = given;
  given.port.on('message', (message: MainMessage) => {
    if (message.type === 'flush') post({ type: 'flushed', id: message.id });
  });
  // the port must not keep the hooks thread (and so the process) alive
  given.port.unref();
};

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  if (!data || !isProjectModule(data, resolved.url)) return resolved;
  const generation = Atomics.load(data.generation, 0);
  const parent = context.parentURL && isProjectModule(data, context.parentURL) ? pathOf(context.parentURL) : undefined;
  post({ type: 'edge', ...(parent ? { parent } : {}), child: pathOf(resolved.url), generation });
  const url = new URL(resolved.url);
  url.searchParams.set('v', String(generation));
  return { ...resolved, url: url.href };
};

function isProjectModule(hooks: HookData, url: string): boolean {
  if (!url.startsWith(hooks.root)) return false;
  const bare = url.split(/[?#]/, 1)[0]!;
  return !bare.includes('/node_modules/') && !hooks.exclude.some((prefix) => bare.startsWith(prefix));
}

function pathOf(url: string): string {
  return fileURLToPath(url.split(/[?#]/, 1)[0]!);
}

function post(message: HookMessage): void {
  data?.port.postMessage(message);
}
