import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx']);
let registered: Promise<void> | undefined;

/**
 * tsx's loader hooks, registered once and only when a TypeScript module is first loaded (the CLI's
 * cold start stays free of it otherwise). Registered globally rather than scoped, so an eval file's
 * `import 'sandbox-eval'` gets the copy already loaded, not a second one. Watch mode calls it before
 * registering its own hooks, so those wrap tsx's and see the URLs tsx resolved.
 */
export function registerTypeScript(): Promise<void> {
  registered ??= (async () => {
    // our public entry first, at native speed: an eval file's `import 'sandbox-eval'` then finds it in
    // the module cache instead of loading its whole graph through tsx's hook thread (~0.4 s at start)
    await import('./index.js');
    const [esm, cjs] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
    esm.register();
    cjs.register();
  })();
  return registered;
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
 * A module's default export. A CommonJS-compiled module (a .ts file in a package without
 * "type": "module") arrives as `{ default: exports }` with `exports.__esModule` set, by the usual
 * interop convention: its own default export is then `exports.default`.
 */
export function defaultExport(module: Record<string, unknown>): unknown {
  const value = module.default;
  if (value && typeof value === 'object' && (value as { __esModule?: unknown }).__esModule === true) {
    return (value as { default?: unknown }).default;
  }
  return value;
}
