import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Loader } from 'cosmiconfig';
import type { EnvironmentDefinition } from '../envs/types.js';
import { ConfigError, UsageError, describeValue, isSandboxEvalError } from '../errors.js';
import { PROVIDER_NAMES, type ProviderName } from '../providers/names.js';
import { type ReporterSpec, type UserConfig, userConfigSchema, validate } from './config.js';
import type { DockerConfig } from '../providers/docker/images.js';
import { defaultExport, loadModule } from '../load-module.js';

/** Options of one run, as the CLI or a program passes them; they override eval.config.ts. */
export interface RunOptions {
  /** Project root: where eval.config.ts and the eval files are looked for. @default process.cwd() */
  root?: string;
  /** An explicit config file instead of searching the root. */
  config?: string;
  /** Only eval files whose path contains one of these strings. */
  filters?: string[];
  /** Only tasks whose id matches this regular expression. */
  task?: string;
  concurrency?: number;
  provider?: ProviderName;
  urls?: string[];
  token?: string;
  maxSteps?: number;
  timeoutMs?: number;
  reporters?: ReporterSpec[];
  /** Data directories by dataset name. */
  data?: Record<string, string>;
  /** Ad hoc run without eval files: dataset, split and agent (a built-in name or a module path). */
  dataset?: string;
  split?: string;
  agent?: string;
  /** Ad hoc: at most this many tasks. */
  limit?: number;
  /** Extra environment types, besides the built-ins and the config's. */
  environments?: EnvironmentDefinition[];
  /** Episodes per task (suites' own `trials` win). */
  trials?: number;
  /** Times an infrastructure-errored episode runs again. */
  retries?: number;
  /** A previous JSON report to compare with, task by task. */
  baseline?: string;
  /** Continue the run that the journal records (after a crash or Ctrl-C): run only what is missing. */
  resume?: boolean;
  /** Run only shard i of n (`"2/4"`): a deterministic slice of the plan. */
  shard?: string;
  /** Leave the docker provider's containers running at the end, for debugging. */
  keepSandboxes?: boolean;
  /**
   * Watch mode (the CLI's `--watch`, or `watchEvals`): re-run the suites whose files or imported
   * modules change, with sandboxes kept warm. `runEvals` itself does one run and ignores it.
   */
  watch?: boolean;
}

/** The checked, merged configuration every later stage takes. */
export interface ResolvedConfig {
  root: string;
  configFile?: string;
  include: string[];
  exclude: string[];
  filters: string[];
  taskPattern?: RegExp;
  /** Undefined: the provider's default. */
  concurrency?: number;
  provider: ProviderName;
  urls: string[];
  token?: string;
  maxSteps: number;
  timeoutMs: number;
  pass: number;
  reporters: ReporterSpec[];
  /** Absolute data directories by dataset name. */
  dataDirs: Record<string, string>;
  environments: EnvironmentDefinition[];
  adhoc?: { dataset: string; split: string; agent: string; limit?: number };
  trials: number;
  retries: number;
  baseline?: string;
  resume: boolean;
  shard?: { index: number; count: number };
  /** Where finished results are journaled (JSON Lines), for --resume. */
  journalPath: string;
  docker?: DockerConfig;
  keepSandboxes: boolean;
}

export const DEFAULTS = {
  include: ['**/*.eval.ts', '**/*.eval.mts', '**/*.eval.js', '**/*.eval.mjs'],
  exclude: ['**/node_modules/**', '**/dist/**', '**/.git/**'],
  maxSteps: 50,
  timeoutMs: 300_000,
  pass: 1,
} as const;

/** Config files load like eval files: TypeScript through our loader, JavaScript natively. */
const loadAsModule: Loader = async (filepath) => defaultExport(await loadModule(filepath));

const CONFIG_FILES = ['eval.config.ts', 'eval.config.mts', 'eval.config.js', 'eval.config.mjs', 'eval.config.json'];

/**
 * Whether `root` holds a config cosmiconfig would find. Most projects have none, and not loading
 * cosmiconfig then saves ~20 ms of every start. An unreadable package.json is left to cosmiconfig to report.
 */
function mayHoldConfig(root: string): boolean {
  if (CONFIG_FILES.some((file) => existsSync(join(root, file)))) return true;
  try {
    return 'sandbox-eval' in (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as object);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** Finds and validates eval.config.* (or the `sandbox-eval` key of package.json) in `root`. */
export async function loadUserConfig(options: { root: string; config?: string }): Promise<{ config: UserConfig; file?: string }> {
  if (!options.config && !mayHoldConfig(options.root)) return { config: {} };
  const { cosmiconfig } = await import('cosmiconfig');
  let found;
  try {
    // inside the try: creating the explorer already reads package.json (cosmiconfig's own options key)
    const explorer = cosmiconfig('sandbox-eval', {
      searchStrategy: 'none',
      searchPlaces: [...CONFIG_FILES, 'package.json'],
      loaders: { '.ts': loadAsModule, '.mts': loadAsModule, '.js': loadAsModule, '.mjs': loadAsModule },
    });
    found = options.config ? await explorer.load(resolve(options.root, options.config)) : await explorer.search(options.root);
  } catch (error) {
    if (isSandboxEvalError(error)) throw error;
    const what = options.config ? `config file ${options.config}` : `eval.config in ${options.root}`;
    throw new ConfigError(`Could not load ${what}: ${(error as Error).message}`, { cause: error });
  }
  if (!found || found.isEmpty) return { config: {}, ...(found ? { file: found.filepath } : {}) };
  const config = validate<UserConfig>(userConfigSchema, found.config, found.filepath);
  return { config, file: found.filepath };
}

/** Merges CLI/program options over the config file over the defaults, and checks the result. */
export async function resolveConfig(options: RunOptions = {}): Promise<ResolvedConfig> {
  const root = resolve(options.root ?? process.cwd());
  const { config, file } = await loadUserConfig({ root, ...(options.config ? { config: options.config } : {}) });
  const base = file ? dirname(file) : root;

  const provider = options.provider ?? config.provider ?? 'embedded';
  if (!(PROVIDER_NAMES as readonly string[]).includes(provider)) throw new UsageError(`Expected \`--provider\` to be one of ${PROVIDER_NAMES.join(', ')}, got ${describeValue(provider)}.`);
  const urls = options.urls ?? config.urls ?? [];
  if (provider === 'remote' && urls.length === 0) {
    throw new UsageError('The remote provider needs server URLs: pass `--url http://host:port` (repeatable) or set `urls` in eval.config.ts.');
  }

  const dataDirs: Record<string, string> = {};
  for (const [name, dir] of Object.entries(config.data ?? {})) dataDirs[name] = resolve(base, dir);
  for (const [name, dir] of Object.entries(options.data ?? {})) dataDirs[name] = resolve(root, dir);

  let taskPattern: RegExp | undefined;
  if (options.task !== undefined) {
    try {
      taskPattern = new RegExp(options.task);
    } catch (error) {
      throw new UsageError(`Expected \`--task\` to be a regular expression, got ${describeValue(options.task)}: ${(error as Error).message}.`);
    }
  }

  const adhoc = resolveAdhoc(options);
  checkPositive('concurrency', options.concurrency);
  checkPositive('max-steps', options.maxSteps);
  checkPositive('timeout', options.timeoutMs);

  checkPositive('trials', options.trials);
  if (options.retries !== undefined && !(Number.isInteger(options.retries) && options.retries >= 0)) {
    throw new UsageError(`Expected \`--retries\` to be an integer ≥ 0, got ${describeValue(options.retries)}.`);
  }
  const shard = parseShard(options.shard);
  const journalName = shard ? `journal-${shard.index}of${shard.count}.jsonl` : 'journal.jsonl';

  return {
    root,
    ...(file ? { configFile: file } : {}),
    include: config.include ?? [...DEFAULTS.include],
    exclude: config.exclude ?? [...DEFAULTS.exclude],
    filters: options.filters ?? [],
    ...(taskPattern ? { taskPattern } : {}),
    ...((options.concurrency ?? config.concurrency) !== undefined ? { concurrency: (options.concurrency ?? config.concurrency)! } : {}),
    provider,
    urls,
    ...((options.token ?? config.token) ? { token: (options.token ?? config.token)! } : {}),
    maxSteps: options.maxSteps ?? config.maxSteps ?? DEFAULTS.maxSteps,
    timeoutMs: options.timeoutMs ?? config.timeoutMs ?? DEFAULTS.timeoutMs,
    pass: config.pass ?? DEFAULTS.pass,
    reporters: resolveReporterSpecs(options.reporters, config.reporters, root, base),
    dataDirs,
    environments: [...(config.environments ?? []), ...(options.environments ?? [])],
    ...(adhoc ? { adhoc } : {}),
    trials: options.trials ?? config.trials ?? 1,
    // a docker container that dies is replaced, so one more attempt is worth it there
    retries: options.retries ?? config.retries ?? (provider === 'docker' ? 1 : 0),
    ...(options.baseline ? { baseline: options.baseline } : {}),
    resume: options.resume ?? false,
    ...(shard ? { shard } : {}),
    journalPath: resolve(root, '.sandbox-eval', journalName),
    ...(config.docker ? { docker: config.docker } : {}),
    keepSandboxes: options.keepSandboxes ?? false,
  };
}

function parseShard(value: string | undefined): ResolvedConfig['shard'] {
  if (value === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new UsageError(`Expected \`--shard\` to be i/n with 1 ≤ i ≤ n (e.g. 2/4), got ${describeValue(value)}.`);
  }
  return { index, count };
}

function resolveAdhoc(options: RunOptions): ResolvedConfig['adhoc'] {
  const given = { dataset: options.dataset, split: options.split, agent: options.agent };
  if (!given.dataset && !given.split && !given.agent) {
    if (options.limit !== undefined) throw new UsageError('`--limit` applies to ad hoc runs: use it with `--dataset`, `--split` and `--agent`.');
    return undefined;
  }
  const missing = Object.entries(given).filter(([, value]) => !value).map(([key]) => `--${key}`);
  if (missing.length) throw new UsageError(`An ad hoc run needs --dataset, --split and --agent; missing ${missing.join(', ')}. Example: sandbox-eval run --dataset guess --split val --agent oracle`);
  checkPositive('limit', options.limit);
  return { dataset: given.dataset!, split: given.split!, agent: given.agent!, ...(options.limit !== undefined ? { limit: options.limit } : {}) };
}

function checkPositive(flag: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw new UsageError(`Expected \`--${flag}\` to be an integer ≥ 1, got ${describeValue(value)}.`);
  }
}

function resolveReporterSpecs(cli: ReporterSpec[] | undefined, config: UserConfig['reporters'], root: string, base: string): ReporterSpec[] {
  if (cli?.length) return cli.map((spec) => (spec.outputFile ? { ...spec, outputFile: resolve(root, spec.outputFile) } : spec));
  const specs = (config ?? ['default']).map((spec) => (typeof spec === 'string' ? { name: spec } : spec));
  return specs.map((spec) => (spec.outputFile ? { ...spec, outputFile: resolve(base, spec.outputFile) } : spec));
}
