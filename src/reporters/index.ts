import { extname, isAbsolute, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { ConfigError, ReporterError, UnknownReporterError } from '../errors.js';
import { defaultExport, loadModule } from '../load-module.js';
import { DefaultReporter } from './default.js';
import { GithubReporter } from './github.js';
import { HtmlReporter } from './html.js';
import { JsonReporter } from './json.js';
import { JUnitReporter } from './junit.js';
import type { PlannedTask, Reporter, RunEndReason, RunPlan, RunSummary, TaskResult } from './types.js';

export { DefaultReporter, type DefaultReporterOptions } from './default.js';
export { GithubReporter, type GithubReporterOptions } from './github.js';
export { HtmlReporter, type HtmlReporterOptions } from './html.js';
export { JsonReporter, type JsonReporterOptions } from './json.js';
export { JUnitReporter, type JUnitReporterOptions } from './junit.js';

/** What a reporter is built with: built-in ones and custom modules get the same. */
export interface ReporterContext {
  /** Where the reporter should write, absolute; absent means stdout. `default` ignores it. */
  outputFile?: string;
  /** The project root that relative paths were resolved against. */
  cwd: string;
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
}

export type ReporterFactory = (context: ReporterContext) => Reporter | Promise<Reporter>;

/** Built-in reporters by the name `--reporter` takes. */
export const builtinReporters = {
  default: (context) => new DefaultReporter({ stdout: context.stdout, stderr: context.stderr }),
  json: (context) => new JsonReporter({ outputFile: context.outputFile, stdout: context.stdout }),
  junit: (context) => new JUnitReporter({ outputFile: context.outputFile, stdout: context.stdout }),
  html: (context) => new HtmlReporter({ outputFile: context.outputFile, cwd: context.cwd, stderr: context.stderr }),
  // the output file, when given, takes the job summary instead of GITHUB_STEP_SUMMARY
  github: (context) => new GithubReporter({ stdout: context.stdout, summaryFile: context.outputFile, cwd: context.cwd }),
} satisfies Record<string, ReporterFactory>;

export type BuiltinReporterName = keyof typeof builtinReporters;

/** Built-in reporters that write their report to stdout when given no output file (html picks a default file). */
const REPORTS_TO_STDOUT = new Set<string>(['json', 'junit']);

export interface ResolveReportersOptions {
  /** Built-in names or paths to reporter modules, each with its own output file. */
  specs: ReadonlyArray<{ name: string; outputFile?: string }>;
  /** Relative module paths and output files are resolved against it. */
  cwd: string;
  /** @default process.stdout */
  stdout?: ReporterContext['stdout'];
  /** @default process.stderr */
  stderr?: Writable;
}

/**
 * Builds the reporters a run asked for. A name that looks like a path (`./my-reporter.ts`,
 * `/abs/rep.mjs`) is imported; its default export may be a Reporter class (constructed with the
 * ReporterContext), a factory function (called with it, may be async) or a Reporter object.
 */
export async function resolveReporters(options: ResolveReportersOptions): Promise<Reporter[]> {
  const reporters: Reporter[] = [];
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  // a report written to stdout must stay parseable: the terminal reporter then writes to stderr
  const stdoutTaken = options.specs.some((spec) => spec.outputFile === undefined && REPORTS_TO_STDOUT.has(spec.name));
  for (const spec of options.specs) {
    const context: ReporterContext = { cwd: options.cwd, stdout: spec.name === 'default' && stdoutTaken ? stderr : stdout, stderr };
    if (spec.outputFile !== undefined) context.outputFile = resolve(options.cwd, spec.outputFile);
    if (Object.hasOwn(builtinReporters, spec.name)) {
      reporters.push(builtinReporters[spec.name as BuiltinReporterName](context));
    } else if (looksLikePath(spec.name)) {
      reporters.push(await loadReporter(resolve(options.cwd, spec.name), context));
    } else {
      throw new UnknownReporterError(spec.name, Object.keys(builtinReporters));
    }
  }
  return reporters;
}

const MODULE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']);
const HOOKS = ['onRunStart', 'onTaskStart', 'onTaskEnd', 'onRunEnd'] as const;

function looksLikePath(name: string): boolean {
  return name.startsWith('.') || isAbsolute(name) || /[\\/]/.test(name) || MODULE_EXTENSIONS.has(extname(name));
}

async function loadReporter(path: string, context: ReporterContext): Promise<Reporter> {
  let module: Record<string, unknown>;
  try {
    module = await loadModule(path);
  } catch (error) {
    throw new ConfigError(
      `Cannot load reporter module ${path}: ${error instanceof Error ? error.message : String(error)}. Check the path (relative paths start from ${context.cwd}).`,
      { cause: error },
    );
  }
  const value = defaultExport(module);

  let reporter: unknown;
  if (typeof value === 'function') {
    reporter = isConstructor(value)
      ? new (value as new (context: ReporterContext) => unknown)(context)
      : await (value as (context: ReporterContext) => unknown)(context);
  } else {
    reporter = value;
  }
  const problem = reporterProblem(reporter);
  if (problem) {
    throw new ConfigError(
      `Reporter module ${path} ${problem}. Its default export must be a Reporter class, a function returning a Reporter, or an object with any of the hooks ${HOOKS.join(', ')}.`,
    );
  }
  return reporter as Reporter;
}

/** A class, or an old-style constructor function whose prototype carries hooks. */
function isConstructor(fn: Function): boolean {
  if (/^class[\s{]/.test(Function.prototype.toString.call(fn))) return true;
  const prototype: unknown = fn.prototype;
  return isObject(prototype) && HOOKS.some((hook) => typeof prototype[hook] === 'function');
}

function reporterProblem(value: unknown): string | undefined {
  if (value === undefined) return 'has no default export';
  if (!isObject(value)) return `exports ${typeof value} as its reporter`;
  const bad = HOOKS.find((hook) => value[hook] !== undefined && typeof value[hook] !== 'function');
  if (bad) return `has a \`${bad}\` that is not a function`;
  if (!HOOKS.some((hook) => typeof value[hook] === 'function')) return 'gives a reporter with no hooks';
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Fans every event out to several reporters, one after the other in their order (so reporters that
 * share a stream never interleave). A reporter that throws does not cost the others their output:
 * every reporter gets the event, then the failures are rethrown together as one ReporterError.
 */
export class ReporterSet implements Reporter {
  readonly #reporters: readonly Reporter[];

  constructor(reporters: readonly Reporter[]) {
    this.#reporters = reporters;
  }

  onRunStart(plan: Readonly<RunPlan>): Promise<void> {
    return this.#emit('onRunStart', callOnRunStart, plan, undefined);
  }

  onTaskStart(task: Readonly<PlannedTask>): Promise<void> {
    return this.#emit('onTaskStart', callOnTaskStart, task, undefined);
  }

  onTaskEnd(result: Readonly<TaskResult>): Promise<void> {
    return this.#emit('onTaskEnd', callOnTaskEnd, result, undefined);
  }

  onRunEnd(summary: Readonly<RunSummary>, reason: RunEndReason): Promise<void> {
    return this.#emit('onRunEnd', callOnRunEnd, summary, reason);
  }

  // runs twice per task: no closure, iterator or array per event, and no wait on a hook that returned no promise
  async #emit<A, B>(hook: (typeof HOOKS)[number], call: (reporter: Reporter, a: A, b: B) => unknown, a: A, b: B): Promise<void> {
    let failures: Array<{ name: string; error: unknown }> | undefined;
    const reporters = this.#reporters;
    for (let index = 0; index < reporters.length; index += 1) {
      const reporter = reporters[index]!;
      try {
        const returned = call(reporter, a, b);
        if (typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') await returned;
      } catch (error) {
        // kept for after the loop: the remaining reporters must still get the event
        (failures ??= []).push({ name: reporterName(reporter, index), error });
      }
    }
    if (failures === undefined) return;
    const describe = (f: { name: string; error: unknown }) =>
      `${f.name}: ${f.error instanceof Error ? f.error.message : String(f.error)}`;
    const [first] = failures;
    if (failures.length === 1 && first) {
      throw new ReporterError(`Reporter ${describe(first)} (in ${hook}). The other reporters ran; fix or remove this one.`, {
        cause: first.error,
      });
    }
    throw new ReporterError(
      `${failures.length} reporters failed in ${hook}: ${failures.map(describe).join('; ')}. The other reporters ran.`,
      { cause: new AggregateError(failures.map((f) => f.error)) },
    );
  }
}

// one caller per hook, each reading one fixed property name
const callOnRunStart = (reporter: Reporter, plan: Readonly<RunPlan>) => reporter.onRunStart?.(plan);
const callOnTaskStart = (reporter: Reporter, task: Readonly<PlannedTask>) => reporter.onTaskStart?.(task);
const callOnTaskEnd = (reporter: Reporter, result: Readonly<TaskResult>) => reporter.onTaskEnd?.(result);
const callOnRunEnd = (reporter: Reporter, summary: Readonly<RunSummary>, reason: RunEndReason) => reporter.onRunEnd?.(summary, reason);

function reporterName(reporter: Reporter, index: number): string {
  const name = (reporter as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : `reporter #${index + 1}`;
}

export type * from './types.js';
export { reportSchema, REPORT_SCHEMA_VERSION, type JsonReport } from './report-schema.js';
