import type { RunOptions } from '../runner/resolve-config.js';

export type FlagType = 'string' | 'integer' | 'boolean' | 'list';

export interface Flag {
  /** The long name on the command line (without `--`). */
  name: string;
  short?: string;
  type: FlagType;
  /** Placeholder shown in help, e.g. `<n>`. */
  arg?: string;
  description: string;
  /** Accepts `--name.<key>=<value>` to set one entry of a map (e.g. `--output-file.json=report.json`). */
  keyed?: boolean;
}

/**
 * The `run` flags, typed against RunOptions: adding an option without deciding its flag fails the build.
 * Options that have no flag (set from code only) are listed in the Exclude.
 */
export const RUN_FLAGS: { [K in Exclude<keyof RunOptions, 'root' | 'filters' | 'environments' | 'reporters'>]-?: Flag } = {
  config: { name: 'config', short: 'c', type: 'string', arg: '<path>', description: 'Config file (default: eval.config.{ts,mts,js,mjs,json} or package.json "sandbox-eval")' },
  task: { name: 'task', short: 't', type: 'string', arg: '<regex>', description: 'Only tasks whose id matches this regular expression' },
  concurrency: { name: 'concurrency', type: 'integer', arg: '<n>', description: "Episodes at once (default: the provider's default)" },
  provider: { name: 'provider', type: 'string', arg: '<name>', description: 'Where sandboxes come from: embedded (default), docker or remote' },
  urls: { name: 'url', type: 'list', arg: '<url>', description: 'Server URL for --provider remote (repeatable)' },
  token: { name: 'token', type: 'string', arg: '<token>', description: 'Bearer token for remote servers (or SANDBOX_EVAL_TOKEN)' },
  maxSteps: { name: 'max-steps', type: 'integer', arg: '<n>', description: 'Cut an episode off after n steps (default 50)' },
  timeoutMs: { name: 'timeout', type: 'integer', arg: '<ms>', description: 'Time limit of one episode in ms (default 300000)' },
  data: { name: 'data', type: 'string', arg: '<dir>', keyed: true, description: 'Data directory of the ad hoc dataset, or per dataset: --data.bfcl=<dir>' },
  dataset: { name: 'dataset', type: 'string', arg: '<name>', description: 'Ad hoc run: the dataset (environment type)' },
  split: { name: 'split', type: 'string', arg: '<name>', description: 'Ad hoc run: the split' },
  agent: { name: 'agent', type: 'string', arg: '<name|path>', description: 'Ad hoc run: a built-in agent (e.g. oracle) or a module path' },
  limit: { name: 'limit', type: 'integer', arg: '<n>', description: 'Ad hoc run: at most n tasks' },
  trials: { name: 'trials', type: 'integer', arg: '<n>', description: 'Episodes per task, for pass@k, pass^k and confidence intervals (default 1)' },
  retries: { name: 'retries', type: 'integer', arg: '<n>', description: 'Run an episode again after an infrastructure error, up to n times (default 1 with --provider docker, else 0)' },
  baseline: { name: 'baseline', type: 'string', arg: '<report.json>', description: 'Compare task by task with a previous JSON report; exit 1 on regression' },
  resume: { name: 'resume', type: 'boolean', description: 'Continue an interrupted run: only what is missing runs, the report is whole' },
  shard: { name: 'shard', type: 'string', arg: '<i/n>', description: 'Run shard i of n of the plan (join reports with `sandbox-eval merge`)' },
  keepSandboxes: { name: 'keep-sandboxes', type: 'boolean', description: 'Leave the docker provider\'s containers running at the end, and print how to reach them' },
  watch: { name: 'watch', type: 'boolean', description: 'Re-run the suites whose files or imported modules change, sandboxes kept warm; keys: a all, f failed, t filter, q quit' },
};

/** Reporter flags: how `reporters` is spelled on the command line. */
export const REPORTER_FLAGS = {
  reporter: { name: 'reporter', type: 'list', arg: '<name|path>', description: 'default, json, junit, html, github, or a module path (repeatable)' },
  outputFile: { name: 'output-file', type: 'string', arg: '<path>', keyed: true, description: 'Write the reporter to a file; per reporter: --output-file.json=<path>' },
} satisfies Record<string, Flag>;

export const SERVE_FLAGS = {
  host: { name: 'host', type: 'string', arg: '<host>', description: 'Interface to listen on (default 127.0.0.1; a token is required off loopback)' },
  port: { name: 'port', type: 'integer', arg: '<port>', description: 'Port (default 8080; 0 picks a free one)' },
  token: { name: 'token', type: 'string', arg: '<token>', description: 'Require this bearer token (or SANDBOX_EVAL_TOKEN)' },
  dataset: { name: 'dataset', type: 'string', arg: '<name>', description: 'The dataset that --data applies to' },
  data: { name: 'data', type: 'string', arg: '<dir>', keyed: true, description: 'Data directory of --dataset, or per dataset: --data.bfcl=<dir>' },
  idleTimeout: { name: 'idle-timeout', type: 'integer', arg: '<ms>', description: 'Release instances idle this long (default 300000; 0 never)' },
  maxInstances: { name: 'max-instances', type: 'integer', arg: '<n>', description: 'Cap on live instances (default 10000)' },
  bodyLimit: { name: 'body-limit', type: 'integer', arg: '<bytes>', description: 'Largest request body accepted (default 10485760, i.e. 10 MiB)' },
  config: RUN_FLAGS.config,
} satisfies Record<string, Flag>;

export const DATASETS_FLAGS = {
  json: { name: 'json', type: 'boolean', description: 'Print JSON instead of a table' },
  data: SERVE_FLAGS.data,
  dataset: SERVE_FLAGS.dataset,
  config: RUN_FLAGS.config,
} satisfies Record<string, Flag>;

export const CLEANUP_FLAGS = {
  run: { name: 'run', type: 'string', arg: '<id>', description: 'Only the containers of this run (default: of every run, running ones included)' },
} satisfies Record<string, Flag>;

export const MERGE_FLAGS = {
  baseline: RUN_FLAGS.baseline,
} satisfies Record<string, Flag>;

export const COMMON_FLAGS = {
  help: { name: 'help', short: 'h', type: 'boolean', description: 'Show help' },
  version: { name: 'version', short: 'v', type: 'boolean', description: 'Show the version' },
} satisfies Record<string, Flag>;
