/**
 * Module loader hooks that let Node import TypeScript: `load` compiles .ts/.mts/.cts/.tsx files
 * (./compile.ts), `resolve` accepts the specifiers TypeScript users write (`./agent.js` for agent.ts,
 * `./agent` without an extension, a folder with index.ts, JSON without `with { type: 'json' }`).
 *
 * Two flavours of the same hooks: `resolve`/`load` for module.register (Node 20, where hooks run on a
 * separate thread) and `resolveSync`/`loadSync` for module.registerHooks (newer Node, in-thread).
 * Only TypeScript importers get the looser resolution: JavaScript keeps Node's rules.
 */
import { compile, compileSync, isTypeScriptPath, type CompiledModule } from './compile.js';
import Module from 'node:module';
import { fileURLToPath } from 'node:url';

interface Resolved {
  url: string;
  format?: string | null;
  importAttributes?: Record<string, string | undefined>;
  shortCircuit?: boolean;
}
interface ResolveContext {
  parentURL?: string;
  importAttributes?: Record<string, string | undefined>;
  conditions?: string[];
}
interface Loaded {
  format?: string | null;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}
type NextResolve<R> = (specifier: string, context?: ResolveContext) => R;
type NextLoad<R> = (url: string, context?: object) => R;

/** `./x.js` may name x.ts: what TypeScript's own resolution tries for each JavaScript extension. */
const SWAPPED_EXTENSIONS: Record<string, readonly string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };
/** Extensions a specifier may already end with; anything else (`./agent`, `./x.service`) gets one tried. */
const KNOWN_EXTENSION = /\.(?:[cm]?[jt]s|[jt]sx|json|node|wasm)$/;
const ADDED_SUFFIXES = ['.ts', '.tsx', '.js', '/index.ts', '/index.tsx', '/index.js'];
const NOT_FOUND = new Set(['ERR_MODULE_NOT_FOUND', 'ERR_UNSUPPORTED_DIR_IMPORT']);

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve<Promise<Resolved>>): Promise<Resolved> {
  let resolved: Resolved;
  try {
    resolved = await nextResolve(specifier, context);
  } catch (error) {
    resolved = await retryAsync(error, alternatives(specifier, context.parentURL), (candidate) => nextResolve(candidate, context));
  }
  return withJsonAttribute(resolved, context);
}

export async function load(url: string, context: object, nextLoad: NextLoad<Promise<Loaded>>): Promise<Loaded> {
  const path = typeScriptPath(url);
  return path ? loaded(await compile(path)) : nextLoad(url, context);
}

export function resolveSync(specifier: string, context: ResolveContext, nextResolve: NextResolve<Resolved>): Resolved {
  let resolved: Resolved;
  try {
    resolved = nextResolve(specifier, context);
  } catch (error) {
    resolved = retrySync(error, alternatives(specifier, context.parentURL), (candidate) => nextResolve(candidate, context));
  }
  return withJsonAttribute(resolved, context);
}

export function loadSync(url: string, context: object, nextLoad: NextLoad<Loaded>): Loaded {
  const path = typeScriptPath(url);
  return path ? loaded(compileSync(path)) : nextLoad(url, context);
}

/** Other specifiers a TypeScript importer may have meant, when the one written was not found. */
export function alternatives(specifier: string, parentURL: string | undefined): string[] {
  if (!parentURL || !typeScriptPath(parentURL)) return [];
  if (!/^(?:\.{1,2}\/|\/|file:)/.test(specifier)) return []; // packages resolve by their own rules
  const cut = specifier.search(/[?#]/);
  const path = cut === -1 ? specifier : specifier.slice(0, cut);
  const suffix = cut === -1 ? '' : specifier.slice(cut);
  if (path.endsWith('/')) return ['index.ts', 'index.tsx', 'index.js'].map((index) => path + index + suffix);
  const extension = /\.[^./]*$/.exec(path)?.[0] ?? '';
  const swapped = SWAPPED_EXTENSIONS[extension];
  if (swapped) return swapped.map((replacement) => path.slice(0, -extension.length) + replacement + suffix);
  if (KNOWN_EXTENSION.test(path)) return [];
  return ADDED_SUFFIXES.map((added) => path + added + suffix);
}

async function retryAsync(error: unknown, candidates: readonly string[], attempt: (candidate: string) => Resolved | Promise<Resolved>): Promise<Resolved> {
  if (!isNotFound(error)) throw error;
  for (const candidate of candidates) {
    try {
      return await attempt(candidate);
    } catch (failure) {
      if (!isNotFound(failure)) throw failure;
    }
  }
  // none exists: the error about what the user wrote is the useful one
  throw error;
}

function retrySync(error: unknown, candidates: readonly string[], attempt: (candidate: string) => Resolved): Resolved {
  if (!isNotFound(error)) throw error;
  for (const candidate of candidates) {
    try {
      return attempt(candidate);
    } catch (failure) {
      if (!isNotFound(failure)) throw failure;
    }
  }
  throw error;
}

function isNotFound(error: unknown): boolean {
  return NOT_FOUND.has((error as { code?: string } | undefined)?.code ?? '');
}

/** TypeScript lets `import tasks from './tasks.json'` go without an attribute; Node needs `type: 'json'`. */
function withJsonAttribute(resolved: Resolved, context: ResolveContext): Resolved {
  if (!resolved.url.startsWith('file:') || !/\.json(?:[?#]|$)/.test(resolved.url)) return resolved;
  if (context.importAttributes?.type || !context.parentURL || !typeScriptPath(context.parentURL)) return resolved;
  return { ...resolved, importAttributes: { ...context.importAttributes, type: 'json' } };
}

/** The file path of a file: URL naming a TypeScript file (queries such as watch mode's `?v=2` aside). */
function typeScriptPath(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const path = fileURLToPath(url.replace(/[?#].*$/, ''));
  return isTypeScriptPath(path) ? path : undefined;
}

/**
 * ES modules get their compiled source. CommonJS ones go to Node's CommonJS loader without it, which
 * compiles them through requireTypeScript's handlers: their own `require` calls then resolve .ts files.
 */
function loaded(compiled: CompiledModule): Loaded {
  return compiled.format === 'module' ? { format: 'module', source: compiled.source, shortCircuit: true } : { format: 'commonjs', source: null, shortCircuit: true };
}

/** Teaches `require` (CommonJS) to load TypeScript files: main thread only. */
export function requireTypeScript(): void {
  const extensions = (Module as unknown as { _extensions: Record<string, (module: CommonJsModule, filename: string) => void> })._extensions;
  for (const extension of ['.ts', '.cts', '.mts', '.tsx']) {
    extensions[extension] = (module, filename) => module._compile(compileSync(filename, { require: true }).source, filename);
  }
}
interface CommonJsModule {
  _compile(source: string, filename: string): void;
}
