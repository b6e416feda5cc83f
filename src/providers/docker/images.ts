import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, NoSandboxImageError, describeValue } from '../../errors.js';

/**
 * The registry of sandbox images: which image serves a dataset, and how to run it. Built in: our own
 * image (every built-in environment behind `sandbox-eval serve`) and AgentScope's training images.
 * Users override any field per dataset in eval.config.ts (`docker.images`).
 */

/** Which server the image runs: ours (token from SANDBOX_EVAL_TOKEN, data mounts) or AgentScope's env_service. */
export type SandboxServerKind = 'sandbox-eval' | 'agentscope';

/** How an action's tool calls go on the wire: OpenAI's nested shape, or AgentScope AppWorld's flat one. */
export type ToolCallShape = 'openai' | 'flat';

/** Everything needed to pull and run one sandbox image. */
export interface SandboxImage {
  /** Name in this registry (`sandbox-eval`, `agentscope-appworld`, ...), or the dataset for a user's image. */
  name: string;
  /** Repository, without the registry prefix for built-in images: "agentscope/runtime-sandbox-appworld". */
  repository: string;
  /** Tag pulled when `archTags` has none for the engine's architecture. */
  tag: string;
  /** Tag per engine architecture, with Docker's names (`amd64`, `arm64`): for images published per arch. */
  archTags: Record<string, string>;
  /** Size of /dev/shm in bytes; AgentScope's images run Ray, which wants far more than Docker's 64 MB. */
  shmSizeBytes?: number;
  /** Environment variables of the container. */
  env: Record<string, string>;
  /** Port the server listens on inside the container. */
  port: number;
  /** How long a new container may take to answer GET /healthz. */
  healthDeadlineMs: number;
  /** Episodes one container serves at once before the pool starts another. */
  concurrency: number;
  /** Most containers of this image per run. */
  containers: number;
  server: SandboxServerKind;
  toolCalls: ToolCallShape;
}

/** A SandboxImage with the exact reference to pull, and the datasets it serves in this run. */
export interface ResolvedImage extends SandboxImage {
  /** "127.0.0.1:5000/sandbox-eval/sandbox:0.1.0" */
  ref: string;
}

/** Per-dataset overrides in eval.config.ts; a string is short for `{ image }`. */
export interface DockerImageOverride {
  /** A built-in image name (`sandbox-eval`, `agentscope-appworld`, `agentscope-bfcl`) or an image reference ("repo[:tag]"). */
  image?: string;
  tag?: string;
  archTags?: Record<string, string>;
  /** Bytes, or a size such as "5.06gb", "512m". */
  shmSize?: number | string;
  /** Merged over the image's own environment variables. */
  env?: Record<string, string>;
  port?: number;
  healthDeadlineMs?: number;
  concurrency?: number;
  containers?: number;
  /** @default 'agentscope' for an image reference, else the built-in's */
  server?: SandboxServerKind;
  toolCalls?: ToolCallShape;
}

export interface RegistryAuth {
  username: string;
  password: string;
  /** The registry these credentials are for. @default the host of `docker.registry`, else Docker Hub */
  serveraddress?: string;
}

/** The `docker` key of eval.config.ts. */
export interface DockerConfig {
  /** Prefix for the built-in images' repositories, e.g. "127.0.0.1:5000" or "registry.example.com/mirror". */
  registry?: string;
  /** Credentials sent when pulling from `auth.serveraddress` (or `registry`). */
  auth?: RegistryAuth;
  /** Image per dataset: a built-in image name, an image reference, or overrides. */
  images?: Record<string, string | DockerImageOverride>;
}

/** The BFCL subsets AgentScope's image was built with (`DATASET_SUB_TYPE`). */
const BFCL_SUB_TYPES = ['all', 'all_scoring', 'multi_turn', 'single_turn', 'live', 'non_live', 'non_python', 'python'];

const GIB = 1024 ** 3;

function packageVersion(): string {
  // the same relative path from src/providers/docker and dist/providers/docker
  const path = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

/** The built-in images. BFCL's needs its data paths and API key at run time, read from `env` (as AgentScope's launcher does). */
export function builtinImages(env: NodeJS.ProcessEnv = process.env): Record<string, SandboxImage> {
  const subType = env.DATASET_SUB_TYPE || 'multi_turn';
  if (!BFCL_SUB_TYPES.includes(subType)) {
    throw new ConfigError(`Expected DATASET_SUB_TYPE to be one of ${BFCL_SUB_TYPES.join(', ')} (the BFCL subsets of AgentScope's image), got ${describeValue(subType)}.`);
  }
  const bfclDir = '/agentscope_runtime/training_box/bfcl/multi_turn';
  const agentscope = { archTags: {}, port: 80, server: 'agentscope' as const, tag: 'latest' };
  return {
    'sandbox-eval': {
      name: 'sandbox-eval',
      repository: 'sandbox-eval/sandbox',
      tag: packageVersion(),
      archTags: {},
      env: {},
      port: 80,
      healthDeadlineMs: 60_000,
      // in-process environments are cheap: a container serves many episodes
      concurrency: 32,
      containers: 2,
      server: 'sandbox-eval',
      toolCalls: 'openai',
    },
    'agentscope-appworld': {
      ...agentscope,
      name: 'agentscope-appworld',
      repository: 'agentscope/runtime-sandbox-appworld',
      shmSizeBytes: Math.floor(5.06 * GIB),
      env: {},
      // start-up loads AppWorld and Ray; AgentScope's client allows 100 s, slow disks need more
      healthDeadlineMs: 300_000,
      // every instance is a Ray actor holding a whole AppWorld world
      concurrency: 8,
      containers: 2,
      toolCalls: 'flat',
    },
    'agentscope-bfcl': {
      ...agentscope,
      name: 'agentscope-bfcl',
      repository: 'agentscope/runtime-sandbox-bfcl',
      shmSizeBytes: Math.floor(8.06 * GIB),
      // the image bakes in broken paths (its build args are never set): the launcher must pass them
      env: {
        BFCL_DATA_PATH: `${bfclDir}/${subType}_processed.jsonl`,
        BFCL_SPLID_ID_PATH: `${bfclDir}/${subType}_split_ids.json`,
        OPENAI_API_KEY: env.OPENAI_API_KEY ?? '',
      },
      healthDeadlineMs: 300_000,
      concurrency: 8,
      containers: 2,
      toolCalls: 'openai',
    },
  };
}

/** Which built-in image serves each dataset when the config names none. */
export const DATASET_IMAGES: Readonly<Record<string, string>> = {
  guess: 'sandbox-eval',
  webshop: 'sandbox-eval',
  bfcl: 'sandbox-eval',
  appworld: 'agentscope-appworld',
};

/** Bytes from a number or a size such as "5.06gb", "512m", "1g" (powers of 1024, as Docker reads them). */
export function parseSize(value: number | string, what: string): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value > 0) return value;
  } else {
    const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(value.trim());
    if (match) {
      const unit = { '': 1, k: 1024, m: 1024 ** 2, g: GIB }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
      const bytes = Math.floor(Number(match[1]) * unit);
      if (bytes > 0) return bytes;
    }
  }
  throw new ConfigError(`Expected \`${what}\` to be a positive number of bytes or a size such as "5.06gb" or "512m", got ${describeValue(value)}.`);
}

/** The registry host of an image reference: its first part when that looks like a host, else Docker Hub. */
export function registryHost(ref: string): string {
  const first = ref.split('/', 1)[0]!;
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/** "repo:tag" -> { repository, tag }; a digest ("repo@sha256:...") is kept whole, with no tag. */
function splitReference(ref: string): { repository: string; tag: string } {
  if (ref.includes('@')) return { repository: ref, tag: '' };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repository: ref, tag: 'latest' };
}

export interface ResolveImageOptions {
  dataset: string;
  config?: DockerConfig;
  /** The engine's architecture, in Docker's names (`amd64`, `arm64`). */
  arch: string;
  /** Where BFCL's run-time settings come from. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** The image that serves `dataset`, with the config's overrides applied and its exact reference. */
export function resolveImage(options: ResolveImageOptions): ResolvedImage {
  const { dataset, config = {}, arch } = options;
  const builtins = builtinImages(options.env);
  const given = config.images?.[dataset];
  const override: DockerImageOverride = typeof given === 'string' ? { image: given } : (given ?? {});

  let base: SandboxImage;
  let external = false;
  if (override.image !== undefined && builtins[override.image]) {
    base = builtins[override.image]!;
  } else if (override.image !== undefined) {
    // a user's image: assumed to speak the wire protocol on port 80, as AgentScope's do
    external = true;
    base = {
      name: dataset,
      ...splitReference(override.image),
      archTags: {},
      env: {},
      port: 80,
      healthDeadlineMs: 120_000,
      concurrency: 8,
      containers: 2,
      server: 'agentscope',
      toolCalls: 'openai',
    };
  } else {
    const name = DATASET_IMAGES[dataset];
    if (!name) throw new NoSandboxImageError(dataset, [...new Set([...Object.keys(DATASET_IMAGES), ...Object.keys(config.images ?? {})])].sort());
    base = builtins[name]!;
  }

  const where = `docker.images.${dataset}`;
  const image: SandboxImage = {
    ...base,
    archTags: { ...base.archTags, ...override.archTags },
    env: { ...base.env, ...override.env },
    ...(override.tag !== undefined ? { tag: override.tag } : {}),
    ...(override.shmSize !== undefined ? { shmSizeBytes: parseSize(override.shmSize, `${where}.shmSize`) } : {}),
    ...(override.port !== undefined ? { port: override.port } : {}),
    ...(override.healthDeadlineMs !== undefined ? { healthDeadlineMs: override.healthDeadlineMs } : {}),
    ...(override.concurrency !== undefined ? { concurrency: override.concurrency } : {}),
    ...(override.containers !== undefined ? { containers: override.containers } : {}),
    ...(override.server !== undefined ? { server: override.server } : {}),
    ...(override.toolCalls !== undefined ? { toolCalls: override.toolCalls } : {}),
  };
  const tag = image.archTags[arch] ?? image.tag;
  const prefix = !external && config.registry ? `${config.registry.replace(/\/+$/, '')}/` : '';
  return { ...image, ref: `${prefix}${image.repository}${tag ? `:${tag}` : ''}` };
}

/** The credentials to send when pulling `ref`: only to the registry they were given for. */
export function authFor(ref: string, config: DockerConfig = {}): RegistryAuth | undefined {
  const { auth } = config;
  if (!auth) return undefined;
  const target = auth.serveraddress ?? (config.registry ? registryHost(`${config.registry.replace(/\/+$/, '')}/x`) : 'docker.io');
  return registryHost(ref) === target.replace(/^https?:\/\//, '').replace(/\/.*$/, '') ? auth : undefined;
}

// ---- validation of the `docker` config key ----

const positiveInteger = z.number({ error: 'Expected an integer ≥ 1' }).int({ error: 'Expected an integer ≥ 1' }).min(1, { error: 'Expected an integer ≥ 1' });
const nonEmpty = z.string({ error: 'Expected a non-empty string' }).min(1, { error: 'Expected a non-empty string' });
const stringMap = z.record(z.string(), z.string({ error: 'Expected a string' }), { error: 'Expected an object of strings' });

const imageOverrideSchema = z
  .object({
    image: nonEmpty.optional(),
    tag: z.string({ error: 'Expected a string' }).optional(),
    archTags: stringMap.optional(),
    shmSize: z.union([positiveInteger, nonEmpty], { error: 'Expected bytes or a size such as "5.06gb"' }).optional(),
    env: stringMap.optional(),
    port: positiveInteger.max(65535, { error: 'Expected a port from 1 to 65535' }).optional(),
    healthDeadlineMs: positiveInteger.optional(),
    concurrency: positiveInteger.optional(),
    containers: positiveInteger.optional(),
    server: z.enum(['sandbox-eval', 'agentscope'], { error: 'Expected "sandbox-eval" or "agentscope"' }).optional(),
    toolCalls: z.enum(['openai', 'flat'], { error: 'Expected "openai" or "flat"' }).optional(),
  }, { error: 'Expected an image name, an image reference or an object of overrides' })
  .strict();

export const dockerConfigSchema = z
  .object({
    registry: nonEmpty.optional(),
    auth: z.object({ username: nonEmpty, password: nonEmpty, serveraddress: nonEmpty.optional() }, { error: 'Expected { username, password, serveraddress? }' }).strict().optional(),
    images: z
      // a string is short for { image }: checked as that, so errors name the field that is wrong
      .record(z.string(), z.preprocess((value) => (typeof value === 'string' ? { image: value } : value), imageOverrideSchema), {
        error: 'Expected an object mapping dataset names to images',
      })
      .optional(),
  })
  .strict();
