/**
 * TypeScript to JavaScript for the loader hooks (./hooks.ts): esbuild strips the types, the result is
 * cached on disk by content, and the module format is decided the way Node decides it for JavaScript.
 *
 * Runs on Node's hooks thread under Node 20 (module.register), in-thread on newer Node
 * (module.registerHooks), so it imports only node: modules at start. esbuild and the lexer load on a
 * cache miss only: a repeated run compiles nothing.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// types only: esbuild itself loads on a cache miss
import type * as Esbuild from 'esbuild';

export type ModuleFormat = 'module' | 'commonjs';

export interface CompiledModule {
  format: ModuleFormat;
  /** JavaScript with an inline source map, so stack traces point into the .ts file. */
  source: string;
}

const TYPESCRIPT_PATH = /\.(?:ts|mts|cts|tsx)$/;
const require = createRequire(import.meta.url);
/** Bumped when what this file produces changes, so stale cache entries are never read. */
const CACHE_VERSION = 1;
/** Per user, like the temp dir it lives in; used only when it is ours alone (see cacheDirectory). */
export const TYPESCRIPT_CACHE_DIR = join(tmpdir(), `sandbox-eval-ts-${process.getuid?.() ?? 'user'}`);
/** Code is lowered only as far as the running Node needs (decorators, for one). */
const TARGET = `node${process.versions.node}`;

export function isTypeScriptPath(path: string): boolean {
  return TYPESCRIPT_PATH.test(path);
}

/**
 * Compiles a .ts/.mts/.cts/.tsx file, from the cache when its source and settings are unchanged.
 * `require` asks for CommonJS whatever the file's own format: ESM syntax is then converted, as
 * TypeScript's own CommonJS output does.
 */
export function compileSync(path: string, options: { require?: boolean } = {}): CompiledModule {
  const job = prepare(path, options.require ?? false);
  if (job.cached) return job.cached;
  try {
    return job.finish(loadEsbuild().transformSync(job.source, job.options).code);
  } catch (error) {
    throw compileError(path, error);
  }
}

/** As compileSync, with esbuild's asynchronous transform on a cache miss (it does not block the thread). */
export async function compile(path: string): Promise<CompiledModule> {
  const job = prepare(path, false);
  if (job.cached) return job.cached;
  try {
    return job.finish((await loadEsbuild().transform(job.source, job.options)).code);
  } catch (error) {
    throw compileError(path, error);
  }
}

interface CompileJob {
  source: string;
  options: Esbuild.TransformOptions;
  cached: CompiledModule | undefined;
  finish(code: string): CompiledModule;
}

function prepare(path: string, forRequire: boolean): CompileJob {
  const source = readFileSync(path, 'utf8');
  const settings = settingsFor(dirname(path));
  const options: Esbuild.TransformOptions = {
    loader: path.endsWith('x') ? 'tsx' : 'ts',
    sourcefile: path,
    sourcemap: 'inline',
    target: TARGET,
    ...(forRequire ? { format: 'cjs' as const } : {}),
    ...(settings.tsconfig !== undefined ? { tsconfigRaw: settings.tsconfig } : {}),
  };
  const key = createHash('sha256')
    .update(JSON.stringify([CACHE_VERSION, esbuildVersion(), options, settings.packageType, source]))
    .digest('hex');
  const entry = join(TYPESCRIPT_CACHE_DIR, `${key}.json`);
  return {
    source,
    options,
    cached: readCache(entry),
    finish(code) {
      const compiled: CompiledModule = { format: forRequire ? 'commonjs' : formatOf(path, code, settings.packageType), source: code };
      writeCache(entry, compiled);
      return compiled;
    },
  };
}

/**
 * Node's rule for JavaScript, applied to the compiled code: .mts is ESM and .cts CommonJS; a .ts file
 * is ESM in a "type": "module" package, and elsewhere ESM when it has import/export syntax (as Node
 * detects for .js), so a project without "type" can still write its eval files with `import`.
 */
function formatOf(path: string, code: string, packageType: ModuleFormat | undefined): ModuleFormat {
  if (path.endsWith('.mts')) return 'module';
  if (path.endsWith('.cts')) return 'commonjs';
  if (packageType === 'module') return 'module';
  return hasModuleSyntax(code) ? 'module' : 'commonjs';
}

let lexer: typeof import('es-module-lexer') | undefined;
function hasModuleSyntax(code: string): boolean {
  if (!lexer) {
    lexer = require('es-module-lexer') as typeof import('es-module-lexer');
    lexer.initSync();
  }
  try {
    return lexer.parse(code)[3];
  } catch {
    // the lexer gave up on valid code esbuild produced: ESM is the format TypeScript users write
    return true;
  }
}

let esbuild: typeof Esbuild | undefined;
function loadEsbuild(): typeof Esbuild {
  esbuild ??= require('esbuild') as typeof Esbuild;
  return esbuild;
}

/** esbuild's version without loading esbuild (read from its package.json): part of the cache key. */
let cachedEsbuildVersion: string | undefined;
function esbuildVersion(): string {
  cachedEsbuildVersion ??= (JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8')) as { version: string }).version;
  return cachedEsbuildVersion;
}

/** esbuild reports "file:line:col: ERROR: message"; users get that as the reason the file did not load. */
function compileError(path: string, error: unknown): Error {
  const failures = (error as { errors?: { text: string; location?: { line: number; column: number; lineText: string } | null }[] }).errors;
  if (!failures?.length) return error instanceof Error ? error : new Error(String(error));
  const lines = failures.map(({ text, location }) => (location ? `${path}:${location.line}:${location.column + 1}: ${text}\n    ${location.lineText}` : `${path}: ${text}`));
  return new SyntaxError(`TypeScript could not be compiled:\n${lines.join('\n')}`);
}

// ---- project settings: the nearest package.json's "type" and the nearest tsconfig.json ----

interface Settings {
  packageType: ModuleFormat | undefined;
  /** tsconfig.json's text, handed to esbuild as is (it reads the JSON-with-comments itself). */
  tsconfig: string | undefined;
}

const settingsByDir = new Map<string, Settings>();

function settingsFor(dir: string): Settings {
  const known = settingsByDir.get(dir);
  if (known) return known;
  const parent = dirname(dir);
  const inherited: Settings = parent === dir ? { packageType: undefined, tsconfig: undefined } : settingsFor(parent);
  const packageJson = readIfPresent(join(dir, 'package.json'));
  const tsconfig = readIfPresent(join(dir, 'tsconfig.json'));
  const settings: Settings = {
    // the nearest package.json decides, even when it has no "type" (then CommonJS rules)
    packageType: packageJson === undefined ? inherited.packageType : typeOfPackage(packageJson),
    tsconfig: tsconfig ?? inherited.tsconfig,
  };
  settingsByDir.set(dir, settings);
  return settings;
}

function typeOfPackage(text: string): ModuleFormat | undefined {
  try {
    const type = (JSON.parse(text) as { type?: unknown }).type;
    return type === 'module' ? 'module' : type === 'commonjs' ? 'commonjs' : undefined;
  } catch {
    return undefined;
  }
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

// ---- the cache: one JSON file per compiled source, written atomically; any failure just compiles ----

let usable: boolean | undefined;
/**
 * The cache holds code we run, in a shared temp dir: it is used only if this user owns it and nobody
 * else can write to it (another user could have created it first, to plant code).
 */
function cacheDirectory(): string | undefined {
  if (usable === undefined) {
    try {
      mkdirSync(TYPESCRIPT_CACHE_DIR, { recursive: true, mode: 0o700 });
      const stats = statSync(TYPESCRIPT_CACHE_DIR);
      usable = stats.isDirectory() && (process.getuid === undefined || stats.uid === process.getuid()) && (stats.mode & 0o022) === 0;
    } catch {
      usable = false;
    }
  }
  return usable ? TYPESCRIPT_CACHE_DIR : undefined;
}

function readCache(entry: string): CompiledModule | undefined {
  if (!cacheDirectory()) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(entry, 'utf8')) as CompiledModule;
    return typeof parsed.source === 'string' && (parsed.format === 'module' || parsed.format === 'commonjs') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(entry: string, compiled: CompiledModule): void {
  if (!cacheDirectory()) return;
  try {
    const temporary = `${entry}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(compiled));
    renameSync(temporary, entry);
  } catch {
    // a read-only or full temp dir costs a compile next time, nothing else
  }
}
