import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { builtinEnvironments } from '../envs/builtins.js';
import { EnvironmentRegistry } from '../envs/registry.js';
import { UsageError, isSandboxEvalError } from '../errors.js';
import type { ProviderName } from '../providers/names.js';
import type { ReporterSpec } from '../runner/config.js';
import { loadUserConfig, type RunOptions } from '../runner/resolve-config.js';
import { runEvals } from '../runner/run.js';
import { serve } from '../sandbox/http-server.js';
import { COMMON_FLAGS, DATASETS_FLAGS, type Flag, REPORTER_FLAGS, RUN_FLAGS, SERVE_FLAGS } from './flags.js';
import { type ParsedArgs, parseArgs } from './parse-args.js';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const COMMANDS = ['run', 'serve', 'datasets'] as const;

/**
 * The `sandbox-eval` command. Returns the exit code: 0 every task passed; 1 some task failed;
 * 2 infrastructure errors; 3 usage or configuration error; 130 interrupted. Only bin.ts exits.
 */
export async function main(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  const [first, ...rest] = argv;
  const command = first && (COMMANDS as readonly string[]).includes(first) ? first : 'run';
  const args = command === first ? rest : argv;
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(args, io);
      case 'datasets':
        return await datasetsCommand(args, io);
      default:
        return await runCommand(args, io);
    }
  } catch (error) {
    if (isSandboxEvalError(error)) {
      io.stderr.write(`sandbox-eval: ${error.message} [${error.code}]\n`);
      return error.exitCode;
    }
    io.stderr.write(`sandbox-eval: unhandled error. This is a bug in sandbox-eval; please report it with the text below.\n${(error as Error)?.stack ?? String(error)}\n`);
    return 2;
  }
}

function defaultIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

async function runCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = { ...RUN_FLAGS, ...REPORTER_FLAGS, ...COMMON_FLAGS };
  const parsed = parseArgs(argv, flags);
  if (handledCommon(parsed, io, 'run', '[file filters...] [options]', flags)) return 0;
  const values = parsed.values;
  const options: RunOptions = {
    root: io.cwd,
    filters: parsed.positionals,
    ...pick(values, ['config', 'task', 'token', 'dataset', 'split', 'agent']),
    ...pickNumbers(values, ['concurrency', 'maxSteps', 'timeoutMs', 'limit']),
  };
  if (values.provider !== undefined) options.provider = values.provider as ProviderName;
  if (values.urls) options.urls = values.urls as string[];
  options.token ??= io.env.SANDBOX_EVAL_TOKEN || undefined;
  if (options.token === undefined) delete options.token;
  const data = dataDirs(parsed, options.dataset);
  if (data) options.data = data;
  const reporters = reporterSpecs(parsed);
  if (reporters) options.reporters = reporters;

  const controller = new AbortController();
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(130); // a second Ctrl-C does not wait for cleanup
    io.stderr.write('\nsandbox-eval: interrupted; finishing reports and cleaning up (Ctrl-C again to force)\n');
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    const outcome = await runEvals({ ...options, signal: controller.signal, stdout: io.stdout, stderr: io.stderr });
    return outcome.exitCode;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

async function serveCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = { ...SERVE_FLAGS, ...COMMON_FLAGS };
  const parsed = parseArgs(argv, flags);
  if (handledCommon(parsed, io, 'serve', '[options]', flags)) return 0;
  if (parsed.positionals.length) throw new UsageError(`serve takes no positional arguments, got ${parsed.positionals.join(' ')}.`);
  const values = parsed.values;
  const registry = await registryFor(io.cwd, values.config as string | undefined);
  const token = (values.token as string | undefined) ?? (io.env.SANDBOX_EVAL_TOKEN || undefined);
  const handle = await serve({
    host: (values.host as string | undefined) ?? '127.0.0.1',
    port: (values.port as number | undefined) ?? 8080,
    ...(token ? { token } : {}),
    registry,
    dataDirs: dataDirs(parsed, values.dataset as string | undefined) ?? {},
    ...(values.idleTimeout !== undefined ? { idleTimeoutMs: values.idleTimeout as number } : {}),
    ...(values.maxInstances !== undefined ? { maxInstances: values.maxInstances as number } : {}),
  });
  io.stdout.write(`sandbox-eval serving ${registry.names.join(', ')} on ${handle.url}${token ? ' (bearer token required)' : ''}\n`);
  // runs until SIGINT/SIGTERM, then drains in-flight requests and releases every instance
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  io.stderr.write('sandbox-eval: shutting down; releasing instances\n');
  await handle.close();
  return 0;
}

async function datasetsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = { ...DATASETS_FLAGS, ...COMMON_FLAGS };
  const parsed = parseArgs(argv, flags);
  if (handledCommon(parsed, io, 'datasets', '[options]', flags)) return 0;
  const registry = await registryFor(io.cwd, parsed.values.config as string | undefined);
  const dirs = dataDirs(parsed, parsed.values.dataset as string | undefined) ?? {};
  const rows: Array<{ name: string; description: string; splits: Record<string, number>; error?: string }> = [];
  for (const name of registry.names) {
    const definition = registry.definition(name);
    try {
      const env = await registry.load(name, dirs[name] ? { dataDir: dirs[name] } : {});
      rows.push({ name, description: definition.description, splits: Object.fromEntries(env.splits().map((split) => [split, env.taskIds(split).length])) });
    } catch (error) {
      // one dataset that cannot load (missing data, no server) must not hide the others
      rows.push({ name, description: definition.description, splits: {}, error: (error as Error).message });
    }
  }
  if (parsed.values.json) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  for (const row of rows) {
    io.stdout.write(`${row.name}  ${row.description}\n`);
    if (row.error) io.stdout.write(`  unavailable: ${row.error}\n`);
    for (const [split, count] of Object.entries(row.splits)) io.stdout.write(`  ${split.padEnd(24)} ${String(count).padStart(6)} tasks\n`);
  }
  return 0;
}

async function registryFor(cwd: string, configPath: string | undefined): Promise<EnvironmentRegistry> {
  const { config } = await loadUserConfig({ root: cwd, ...(configPath ? { config: configPath } : {}) });
  return new EnvironmentRegistry([...builtinEnvironments, ...(config.environments ?? [])]);
}

/** `--data <dir>` belongs to the named dataset; `--data.<dataset>=<dir>` to that one. */
function dataDirs(parsed: ParsedArgs, dataset: string | undefined): Record<string, string> | undefined {
  const dirs = { ...parsed.keyed.data };
  const plain = parsed.values.data as string | undefined;
  if (plain !== undefined) {
    if (!dataset) throw new UsageError('`--data <dir>` needs `--dataset <name>` to say whose data it is; or use --data.<dataset>=<dir>.');
    dirs[dataset] = plain;
  }
  return Object.keys(dirs).length ? dirs : undefined;
}

/**
 * `--reporter` (repeatable) with `--output-file <path>` (for the one file reporter) or
 * `--output-file.<reporter>=<path>`; naming an output file for a reporter turns that reporter on.
 */
function reporterSpecs(parsed: ParsedArgs): ReporterSpec[] | undefined {
  const names = [...((parsed.values.reporter as string[] | undefined) ?? [])];
  const files = { ...parsed.keyed.outputFile };
  for (const name of Object.keys(files)) if (!names.includes(name)) names.push(name);
  const single = parsed.values.outputFile as string | undefined;
  if (single !== undefined) {
    const writers = names.filter((name) => name !== 'default' && files[name] === undefined);
    if (writers.length !== 1) {
      throw new UsageError(`\`--output-file <path>\` needs exactly one reporter to write it (got ${writers.length ? writers.join(', ') : 'none'}). Use --reporter json --output-file report.json, or --output-file.<reporter>=<path>.`);
    }
    files[writers[0]!] = single;
  }
  if (names.length === 0) return undefined;
  // the terminal reporter stays on unless the user listed reporters explicitly without it
  if (!parsed.values.reporter) names.unshift('default');
  return names.map((name) => (files[name] ? { name, outputFile: files[name] } : { name }));
}

function handledCommon(parsed: ParsedArgs, io: CliIo, command: string, usage: string, flags: Record<string, Flag>): boolean {
  if (parsed.values.version) {
    io.stdout.write(`${version()}\n`);
    return true;
  }
  if (!parsed.values.help) return false;
  const lines = Object.values(flags).map((flag) => {
    const names = `${flag.short ? `-${flag.short}, ` : '    '}--${flag.name}${flag.arg ? ` ${flag.arg}` : ''}`;
    return `  ${names.padEnd(34)} ${flag.description}`;
  });
  io.stdout.write(
    [
      `Usage: sandbox-eval ${command} ${usage}`,
      '',
      'Commands: run (default), serve, datasets. `sandbox-eval <command> --help` for each.',
      '',
      'Options:',
      ...lines,
      '',
      'Exit codes: 0 all passed, 1 some task failed, 2 infrastructure errors, 3 usage or config error, 130 interrupted.',
      '',
    ].join('\n'),
  );
  return true;
}

function version(): string {
  const path = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

function pick(values: ParsedArgs['values'], keys: readonly (keyof RunOptions)[]): Partial<RunOptions> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (typeof values[key] === 'string') out[key] = values[key];
  return out as Partial<RunOptions>;
}

function pickNumbers(values: ParsedArgs['values'], keys: readonly (keyof RunOptions)[]): Partial<RunOptions> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (typeof values[key] === 'number') out[key] = values[key];
  return out as Partial<RunOptions>;
}
