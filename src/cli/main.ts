import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { UsageError, isSandboxEvalError } from '../errors.js';
import type { ProviderName } from '../providers/names.js';
import type { EnvironmentRegistry } from '../envs/registry.js';
import type { ReporterSpec } from '../runner/config.js';
import type { RunOptions } from '../runner/resolve-config.js';
import { CLEANUP_FLAGS, COMMON_FLAGS, DATASETS_FLAGS, type Flag, MERGE_FLAGS, REPORTER_FLAGS, RUN_FLAGS, SERVE_FLAGS } from './flags.js';
import { type ParsedArgs, parseArgs } from './parse-args.js';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

const COMMANDS = ['run', 'serve', 'datasets', 'merge', 'cleanup'] as const;

// Commands import their implementation when they run, so `--help`, `--version` and usage errors
// start fast and `run` does not load the server or the Docker client.

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
      case 'merge':
        return await mergeCommand(args, io);
      case 'cleanup':
        return await cleanupCommand(args, io);
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
    ...pick(values, ['baseline', 'shard']),
    ...pickNumbers(values, ['concurrency', 'maxSteps', 'timeoutMs', 'limit', 'trials', 'retries']),
  };
  if (values.resume) options.resume = true;
  if (values.keepSandboxes) options.keepSandboxes = true;
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
    if (values.watch) {
      // loaded on demand: a plain run does not pay for the watcher and its loader hooks
      const { watchEvals } = await import('../watch/watch.js');
      await watchEvals({ ...options, signal: controller.signal, stdout: io.stdout, stderr: io.stderr });
      return 0; // watch mode ends on q, Ctrl-C or SIGTERM: no failure
    }
    const { runEvals } = await import('../runner/run.js');
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
  const { serve } = await import('../sandbox/http-server.js');
  const handle = await serve({
    host: (values.host as string | undefined) ?? '127.0.0.1',
    port: (values.port as number | undefined) ?? 8080,
    ...(token ? { token } : {}),
    registry,
    dataDirs: dataDirs(parsed, values.dataset as string | undefined) ?? {},
    ...(values.idleTimeout !== undefined ? { idleTimeoutMs: values.idleTimeout as number } : {}),
    ...(values.maxInstances !== undefined ? { maxInstances: values.maxInstances as number } : {}),
    ...(values.bodyLimit !== undefined ? { bodyLimitBytes: values.bodyLimit as number } : {}),
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

async function mergeCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = { ...MERGE_FLAGS, ...REPORTER_FLAGS, ...COMMON_FLAGS };
  const parsed = parseArgs(argv, flags);
  if (handledCommon(parsed, io, 'merge', '<report.json...> [--reporter json --output-file merged.json] [--baseline main.json]', flags)) return 0;
  if (parsed.positionals.length === 0) throw new UsageError('merge needs the JSON reports to join: sandbox-eval merge shard-1.json shard-2.json --reporter json --output-file report.json');
  const { mergeReports } = await import('../runner/merge.js');
  const outcome = await mergeReports({
    files: parsed.positionals,
    cwd: io.cwd,
    reporters: reporterSpecs(parsed) ?? [{ name: 'default' }],
    ...(typeof parsed.values.baseline === 'string' ? { baseline: parsed.values.baseline } : {}),
    stdout: io.stdout,
    stderr: io.stderr,
  });
  return outcome.exitCode;
}

/** Removes the sandbox containers that crashed runs left behind (found by their run label). */
async function cleanupCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = { ...CLEANUP_FLAGS, ...COMMON_FLAGS };
  const parsed = parseArgs(argv, flags);
  if (handledCommon(parsed, io, 'cleanup', '[--run <id>]', flags)) return 0;
  if (parsed.positionals.length) throw new UsageError(`cleanup takes no positional arguments, got ${parsed.positionals.join(' ')}; use --run <id> for one run.`);
  const runId = parsed.values.run as string | undefined;
  const { DockerProvider } = await import('../providers/docker/docker-provider.js');
  const removed = await new DockerProvider({ stderr: io.stderr }).cleanupOrphans(runId);
  io.stdout.write(`Removed ${removed} sandbox container${removed === 1 ? '' : 's'}${runId ? ` of run ${runId}` : ''}.\n`);
  return 0;
}

async function registryFor(cwd: string, configPath: string | undefined): Promise<EnvironmentRegistry> {
  const [{ loadUserConfig }, { builtinEnvironments }, { EnvironmentRegistry }] = await Promise.all([
    import('../runner/resolve-config.js'),
    import('../envs/builtins.js'),
    import('../envs/registry.js'),
  ]);
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
      'Commands: run (default), serve, datasets, merge, cleanup. `sandbox-eval <command> --help` for each.',
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
