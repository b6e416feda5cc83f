import { z } from 'zod';
import type { Agent } from '../agents/types.js';
import type { EnvironmentDefinition } from '../envs/types.js';
import type { Thresholds } from '../reporters/types.js';
import { ConfigError, describeValue } from '../errors.js';
import { PROVIDER_NAMES, type ProviderName } from '../providers/names.js';
import { dockerConfigSchema, type DockerConfig } from '../providers/docker/images.js';

/** Which tasks of a split a suite runs. Filters apply in this order: ids, filter, then limit. */
export interface TaskSelection {
  /** Exactly these task ids (each must exist in the split). */
  ids?: string[];
  /** Keep the ids for which this returns true. */
  filter?: (taskId: string) => boolean;
  /** At most this many tasks, the first ones in the split's order. */
  limit?: number;
}

/** One suite, as an eval file declares it with `defineEval`. */
export interface EvalSuite {
  /** Shown in every report; unique within a run. */
  name: string;
  /** An environment type (`bfcl`, `webshop`, `guess`, ...) or a user-defined environment. */
  dataset: string | EnvironmentDefinition;
  /** Which split of the dataset. */
  split: string;
  /** Which tasks of the split. @default every task */
  tasks?: TaskSelection;
  /** The agent: a function, or the name of a built-in (e.g. `oracle`) or a path to a module. */
  agent: Agent | string;
  /** Steps after which an episode is cut off and evaluated as it stands. @default the run's `maxSteps` */
  maxSteps?: number;
  /** A task passes when its reward is at least this. @default the run's `pass` (1) */
  pass?: number;
  /** Time limit of one episode in ms. @default the run's `timeoutMs` */
  timeoutMs?: number;
  /** Passed to the environment's `create` as the wire request's `params`. */
  params?: Record<string, unknown>;
  /** Data directory for this suite's dataset (upstream layout). @default the env's built-in data */
  data?: string;
  /** Episodes per task, for pass@k, pass^k and confidence intervals. @default the run's `trials` (1) */
  trials?: number;
  /**
   * Gates checked at the end. When set, they decide the suite's verdict instead of "every task
   * passes": e.g. `{ meanReward: 0.8, passAtK: 0.9, tasks: { multi_turn_base_3: 1 } }`.
   */
  thresholds?: Thresholds;
}


export interface ReporterSpec {
  /** A built-in reporter name (`default`, `json`, `junit`) or a path to a module. */
  name: string;
  /** Where the reporter writes; stdout when absent. */
  outputFile?: string;
}

/** What eval.config.ts exports (through `defineConfig`). Every key is optional. */
export interface UserConfig {
  /** Globs of eval files, relative to the config's folder. @default ['**\/*.eval.ts'] */
  include?: string[];
  /** Globs never searched. @default ['**\/node_modules/**', '**\/dist/**', '**\/.git/**'] */
  exclude?: string[];
  /** Episodes run at once. @default the provider's default concurrency */
  concurrency?: number;
  /** Where sandboxes come from. @default 'embedded' */
  provider?: ProviderName;
  /** Server URLs for the `remote` provider. */
  urls?: string[];
  /** Bearer token for the `remote` provider's servers. */
  token?: string;
  /** Steps after which an episode is cut off. @default 50 */
  maxSteps?: number;
  /** Time limit of one episode in ms. @default 300000 */
  timeoutMs?: number;
  /** A task passes when its reward is at least this. @default 1 */
  pass?: number;
  /** Reporters, by name or with an output file. @default ['default'] */
  reporters?: Array<string | ReporterSpec>;
  /** Data directory per dataset, e.g. `{ bfcl: '../gorilla/.../data' }`. */
  data?: Record<string, string>;
  /** Your own environment types, usable as `dataset` by name. */
  environments?: EnvironmentDefinition[];
  /** Episodes per task for suites that do not set `trials`. @default 1 */
  trials?: number;
  /** Times an episode that failed on infrastructure is run again (agent failures never are). @default 1 with the docker provider, else 0 */
  retries?: number;
  /** The docker provider: images per dataset, registry prefix, credentials (see docs/docker.md). */
  docker?: DockerConfig;
}

/** Typed helper for eval.config.ts. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

/** Typed helper for *.eval.ts files; export the result (or an array of them) as default. */
export function defineEval(suite: EvalSuite): EvalSuite {
  return suite;
}

// ---- validation ----

const integerAtLeast = (min: number) =>
  z.number({ error: `Expected an integer ≥ ${min}` }).int({ error: `Expected an integer ≥ ${min}` }).min(min, { error: `Expected an integer ≥ ${min}` });
const isFunction = (what: string) => z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', { error: `Expected ${what}` });
const nonEmpty = z.string({ error: 'Expected a non-empty string' }).min(1, { error: 'Expected a non-empty string' });
const reward = z.number({ error: 'Expected a number from 0 to 1' }).min(0, { error: 'Expected a number from 0 to 1' }).max(1, { error: 'Expected a number from 0 to 1' });

const environmentSchema = z.object(
  {
    name: nonEmpty,
    description: z.string({ error: 'Expected a string' }),
    load: isFunction('a function `load({ dataDir })` returning an Environment'),
  },
  { error: 'Expected an environment definition ({ name, description, load }); use `defineEnvironment`' },
);

const reporterSpecSchema = z.union(
  [nonEmpty, z.object({ name: nonEmpty, outputFile: nonEmpty.optional() }).strict()],
  { error: 'Expected a reporter name or { name, outputFile }' },
);

export const userConfigSchema = z
  .object({
    include: z.array(nonEmpty, { error: 'Expected an array of globs' }).optional(),
    exclude: z.array(nonEmpty, { error: 'Expected an array of globs' }).optional(),
    concurrency: integerAtLeast(1).optional(),
    provider: z.enum(PROVIDER_NAMES, { error: `Expected one of ${PROVIDER_NAMES.join(', ')}` }).optional(),
    urls: z.array(z.url({ error: 'Expected an http(s) URL' }), { error: 'Expected an array of URLs' }).optional(),
    token: nonEmpty.optional(),
    maxSteps: integerAtLeast(1).optional(),
    timeoutMs: integerAtLeast(1).optional(),
    pass: reward.optional(),
    reporters: z.array(reporterSpecSchema, { error: 'Expected an array of reporters' }).optional(),
    data: z.record(z.string(), nonEmpty, { error: 'Expected an object mapping dataset names to directories' }).optional(),
    environments: z.array(environmentSchema, { error: 'Expected an array of environment definitions' }).optional(),
    trials: integerAtLeast(1).optional(),
    retries: integerAtLeast(0).optional(),
    docker: dockerConfigSchema.optional(),
  })
  .strict();

export const evalSuiteSchema = z
  .object({
    name: nonEmpty,
    dataset: z.union([nonEmpty, environmentSchema], { error: 'Expected a dataset name or an environment definition' }),
    split: nonEmpty,
    tasks: z
      .object({
        ids: z.array(nonEmpty, { error: 'Expected an array of task ids' }).optional(),
        filter: isFunction('a function (taskId) => boolean').optional(),
        limit: integerAtLeast(1).optional(),
      })
      .strict()
      .optional(),
    agent: z.union([isFunction('an agent function'), nonEmpty], { error: 'Expected an agent function, a built-in agent name or a module path' }),
    maxSteps: integerAtLeast(1).optional(),
    pass: reward.optional(),
    timeoutMs: integerAtLeast(1).optional(),
    params: z.record(z.string(), z.unknown(), { error: 'Expected an object' }).optional(),
    data: nonEmpty.optional(),
    trials: integerAtLeast(1).optional(),
    thresholds: z
      .object({
        meanReward: reward.optional(),
        passRate: reward.optional(),
        passAtK: reward.optional(),
        tasks: z.record(z.string(), reward, { error: 'Expected an object mapping task ids to minimum rewards' }).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Parses `value` with `schema`, or throws a ConfigError naming every bad key, what was expected and what was got. */
export function validate<T>(schema: z.ZodType, value: unknown, where: string): T {
  const result = schema.safeParse(value, { reportInput: true });
  // the schema checks the shape; function signatures inside it are the declared types' promise
  if (result.success) return result.data as T;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((key) => `\`${path ? `${path}.` : ''}${key}\``).join(', ');
      return `Unknown key ${keys}${renamed(issue.keys)}.`;
    }
    const got = 'input' in issue ? `, got ${describeValue(issue.input)}` : '';
    return `\`${path || '(root)'}\`: ${issue.message}${got}.`;
  });
  return failWith(where, lines);
}

function failWith(where: string, lines: string[]): never {
  throw new ConfigError(`Invalid ${where}:\n  - ${lines.join('\n  - ')}`);
}

/** Common misspellings and renamed keys, so the error can name the right one. */
const RENAMED: Record<string, string> = {
  reporter: 'reporters',
  dataDir: 'data',
  timeout: 'timeoutMs',
  max_steps: 'maxSteps',
  environment: 'environments',
  url: 'urls',
  threshold: 'thresholds',
  trial: 'trials',
  retry: 'retries',
};

function renamed(keys: readonly PropertyKey[]): string {
  const hints = keys.flatMap((key) => (typeof key === 'string' && RENAMED[key] ? [`\`${key}\` is spelled \`${RENAMED[key]}\``] : []));
  return hints.length ? ` (${hints.join('; ')})` : '';
}
