import * as nodeModule from 'node:module';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx']);
let registered: Promise<void> | undefined;

/**
 * Our TypeScript loader hooks (./typescript/hooks.ts), registered once and only when a TypeScript
 * module is first loaded (the CLI's cold start stays free of them otherwise). Registered globally, so
 * an eval file's `import 'sandbox-eval'` gets the copy already loaded, not a second one. Watch mode
 * calls it before registering its own hooks, so those wrap these and see the URLs they resolved.
 */
export function registerTypeScript(): Promise<void> {
  registered ??= (async () => {
    // run from our .ts sources (Vitest), whatever runs them loads TypeScript already
    if (import.meta.url.endsWith('.ts')) return;
    // our public entry first, at native speed: on Node 20 everything imported after registering goes
    // through the hooks thread, and an eval file's `import 'sandbox-eval'` then finds it loaded
    await import('./index.js');
    // stack traces point into the .ts files (the compiled code carries inline source maps)
    process.setSourceMapsEnabled(true);
    const registerHooks = (nodeModule as { registerHooks?: (hooks: object) => unknown }).registerHooks;
    const hooks = await import('./typescript/hooks.js');
    hooks.requireTypeScript();
    if (registerHooks && hasReliableInThreadHooks(process.versions.node)) {
      registerHooks({ resolve: hooks.resolveSync, load: hooks.loadSync });
    } else {
      nodeModule.register(new URL('./typescript/hooks.js', import.meta.url));
    }
  })();
  return registered;
}

/**
 * In-thread hooks (module.registerHooks) skip the hooks thread's start-up and message round trips.
 * Earlier releases that have them still had bugs with a CommonJS module required again after it left
 * require.cache, which watch mode does (tsx draws the line at the same releases): those use the thread.
 */
export function hasReliableInThreadHooks(version: string): boolean {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  const atLeast = (m: number, p: number) => minor > m || (minor === m && patch >= p);
  if (major === 22) return atLeast(22, 3);
  if (major === 24) return atLeast(11, 1);
  if (major === 25) return atLeast(1, 0);
  return major >= 26;
}

/**
 * Imports a user module (eval file, config, agent, reporter) by absolute path; TypeScript needs no
 * build step. `fresh` bypasses the module cache (watch mode re-imports changed files).
 */
export async function loadModule(path: string, options: { fresh?: boolean } = {}): Promise<Record<string, unknown>> {
  if (TYPESCRIPT.has(extname(path))) await registerTypeScript();
  let url = pathToFileURL(path).href;
  if (options.fresh) url += `?t=${Date.now()}`;
  return (await import(url)) as Record<string, unknown>;
}

/**
 * A module's default export. A module compiled to CommonJS from `export` syntax (a .cts file, or a
 * file some other tool compiled) arrives as `{ default: exports }` with `exports.__esModule` set, by
 * the usual interop convention: its own default export is then `exports.default`.
 */
export function defaultExport(module: Record<string, unknown>): unknown {
  const value = module.default;
  if (value && typeof value === 'object' && (value as { __esModule?: unknown }).__esModule === true) {
    return (value as { default?: unknown }).default;
  }
  return value;
}
