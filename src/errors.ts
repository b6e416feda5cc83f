/**
 * Every error a user can see is a SandboxEvalError with a stable `code` (documented in docs/errors.md)
 * and an exit code: 2 for infrastructure, 3 for usage or configuration. Code that handles errors
 * matches on `code`, because an eval file may load a second copy of this package.
 */
export abstract class SandboxEvalError extends Error {
  abstract readonly code: `SE_${string}`;
  abstract readonly exitCode: 2 | 3;
  /** HTTP status the server answers with when this error reaches a request. */
  readonly httpStatus: number = 400;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

const brand = Symbol.for('sandbox-eval.error');
Object.defineProperty(SandboxEvalError.prototype, brand, { value: true });

/** True for a SandboxEvalError from any copy of the package. */
export function isSandboxEvalError(error: unknown): error is SandboxEvalError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[brand] === true;
}

/** "`12` (number)": a value and its type, for "Expected X, got Y" messages. */
export function describeValue(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  let shown: string;
  try {
    shown = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  } catch {
    // circular or otherwise unserialisable: the type alone still helps
    shown = String(value);
  }
  if (shown.length > 80) shown = `${shown.slice(0, 77)}...`;
  return `\`${shown}\` (${type})`;
}

function listOf(known: readonly string[]): string {
  return known.length > 0 ? known.join(', ') : '(none)';
}

// ---- usage and configuration (exit code 3) ----

export class ConfigError extends SandboxEvalError {
  readonly code = 'SE_CONFIG_INVALID';
  readonly exitCode = 3;
}

export class UsageError extends SandboxEvalError {
  readonly code = 'SE_USAGE';
  readonly exitCode = 3;
}

export class UnknownDatasetError extends SandboxEvalError {
  readonly code = 'SE_UNKNOWN_DATASET';
  readonly exitCode = 3;
  constructor(name: string, known: readonly string[]) {
    super(`Unknown dataset "${name}". Known: ${listOf(known)}. See \`sandbox-eval datasets\`, or register your own with \`environments\` in eval.config.ts.`);
  }
}

export class UnknownSplitError extends SandboxEvalError {
  readonly code = 'SE_UNKNOWN_SPLIT';
  readonly exitCode = 3;
  constructor(dataset: string, split: string, known: readonly string[]) {
    super(`Dataset "${dataset}" has no split "${split}". Known splits: ${listOf(known)}.`);
  }
}

export class UnknownTaskError extends SandboxEvalError {
  readonly code = 'SE_UNKNOWN_TASK';
  readonly exitCode = 3;
  constructor(dataset: string, taskId: string) {
    super(`Dataset "${dataset}" has no task "${taskId}". List its tasks with \`sandbox-eval datasets\`.`);
  }
}

export class UnknownAgentError extends SandboxEvalError {
  readonly code = 'SE_UNKNOWN_AGENT';
  readonly exitCode = 3;
  constructor(name: string, known: readonly string[]) {
    super(`Unknown agent "${name}". Built-in agents for this dataset: ${listOf(known)}. Or pass a path to a module whose default export is an agent (.ts, .mts, .js, .mjs).`);
  }
}

export class UnknownProviderError extends SandboxEvalError {
  readonly code = 'SE_UNKNOWN_PROVIDER';
  readonly exitCode = 3;
  constructor(name: string, known: readonly string[]) {
    super(`Unknown provider "${name}". Known: ${listOf(known)}.`);
  }
}

export class UnknownReporterError extends SandboxEvalError {
  readonly code = 'SE_UNKNOWN_REPORTER';
  readonly exitCode = 3;
  constructor(name: string, known: readonly string[]) {
    super(`Unknown reporter "${name}". Known: ${listOf(known)}, or a path to a module whose default export is a Reporter class or object.`);
  }
}

export class NoTasksSelectedError extends SandboxEvalError {
  readonly code = 'SE_NO_TASKS';
  readonly exitCode = 3;
}

export class EvalFileError extends SandboxEvalError {
  readonly code = 'SE_EVAL_FILE';
  readonly exitCode = 3;
}

// ---- errors about sandbox calls (HTTP 4xx on the server) ----

export class InvalidRequestError extends SandboxEvalError {
  readonly code = 'SE_INVALID_REQUEST';
  readonly exitCode = 3;
}

export class InstanceNotFoundError extends SandboxEvalError {
  readonly code = 'SE_INSTANCE_NOT_FOUND';
  readonly exitCode = 2;
  override readonly httpStatus = 404;
  constructor(instanceId: string) {
    super(`Instance ${instanceId} not found! It was never created, was released, or expired after its idle time; create a new one.`);
  }
}

export class DuplicateInstanceError extends SandboxEvalError {
  readonly code = 'SE_DUPLICATE_INSTANCE';
  readonly exitCode = 2;
  override readonly httpStatus = 409;
  constructor(instanceId: string) {
    super(`Instance ${instanceId} already exists. Release it first, or omit instance_id to get a fresh one.`);
  }
}

export class CapacityError extends SandboxEvalError {
  readonly code = 'SE_CAPACITY';
  readonly exitCode = 2;
  override readonly httpStatus = 429;
  constructor(limit: number) {
    super(`The sandbox holds its limit of ${limit} live instances. Release some, or raise the limit (\`--max-instances\`).`);
  }
}

export class UnauthorizedError extends SandboxEvalError {
  readonly code = 'SE_UNAUTHORIZED';
  readonly exitCode = 2;
  override readonly httpStatus = 401;
}

export class PayloadTooLargeError extends SandboxEvalError {
  readonly code = 'SE_PAYLOAD_TOO_LARGE';
  readonly exitCode = 2;
  override readonly httpStatus = 413;
  constructor(limit: number) {
    super(`Request body exceeds the limit of ${limit} bytes. Send a smaller body, or raise the limit (\`--body-limit\`).`);
  }
}

// ---- infrastructure (exit code 2) ----

/** The sandbox (server, container) could not be reached or answered outside the protocol. */
export class SandboxUnavailableError extends SandboxEvalError {
  readonly code = 'SE_SANDBOX_UNAVAILABLE';
  readonly exitCode = 2;
  override readonly httpStatus = 503;
}

export class SandboxClosedError extends SandboxEvalError {
  readonly code = 'SE_SANDBOX_CLOSED';
  readonly exitCode = 2;
  override readonly httpStatus = 503;
  constructor(what = 'sandbox') {
    super(`The ${what} is closed; calls after close() are refused.`);
  }
}

/** The environment raised while handling a call: a bug or a data problem on the env side. */
export class EnvironmentError extends SandboxEvalError {
  readonly code = 'SE_ENV_ERROR';
  readonly exitCode = 2;
  override readonly httpStatus = 500;
}

/** A remote sandbox answered an error; `status` is its HTTP status and `remoteCode` its code if any. */
export class RemoteSandboxError extends SandboxEvalError {
  readonly code = 'SE_REMOTE_ERROR';
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly status: number,
    readonly remoteCode?: string,
  ) {
    super(message);
  }
}

export class TimeoutError extends SandboxEvalError {
  readonly code = 'SE_TIMEOUT';
  readonly exitCode = 2;
  override readonly httpStatus = 504;
}

// ---- wire-protocol server answers (added with src/sandbox/http-server.ts) ----

/** A request body that is not JSON, or a field of the wrong type (FastAPI answers these with 422 too). */
export class RequestValidationError extends SandboxEvalError {
  readonly code = 'SE_REQUEST_VALIDATION';
  readonly exitCode = 3;
  override readonly httpStatus = 422;
}

export class RouteNotFoundError extends SandboxEvalError {
  readonly code = 'SE_ROUTE_NOT_FOUND';
  readonly exitCode = 2;
  override readonly httpStatus = 404;
  constructor(path: string, known: readonly string[]) {
    super(`No endpoint at ${path}. Endpoints: ${listOf(known)} (see docs/protocol.md).`);
  }
}

export class MethodNotAllowedError extends SandboxEvalError {
  readonly code = 'SE_METHOD_NOT_ALLOWED';
  readonly exitCode = 2;
  override readonly httpStatus = 405;
  constructor(method: string, path: string, allowed: string) {
    super(`${path} does not accept ${method}; use ${allowed}.`);
  }
}

/** An unexpected failure inside the server; the detail never carries a stack trace. */
export class InternalError extends SandboxEvalError {
  readonly code = 'SE_INTERNAL';
  readonly exitCode = 2;
  override readonly httpStatus = 500;
}

/** A reporter threw while handling an event; the other reporters still handled it. */
export class ReporterError extends SandboxEvalError {
  readonly code = 'SE_REPORTER_FAILED';
  readonly exitCode = 2;
  override readonly httpStatus = 500;
}

// ---- environment data (added with src/envs/webshop) ----

/**
 * An environment's data directory (`--data`) is missing files, holds files it cannot read, or a
 * derived file (such as a frozen goal list) cannot be written or no longer matches the data.
 */
export class EnvironmentDataError extends SandboxEvalError {
  readonly code = 'SE_ENV_DATA';
  readonly exitCode = 3;
}

// ---- Docker provider and AppWorld (added with src/providers/docker and src/envs/appworld) ----

/** The Docker engine cannot be reached: not installed, not started, or DOCKER_HOST points nowhere. */
export class DockerUnavailableError extends SandboxEvalError {
  readonly code = 'SE_DOCKER_UNAVAILABLE';
  readonly exitCode = 2;
  override readonly httpStatus = 503;
}

/** A sandbox image could not be pulled: wrong name or tag, registry unreachable, or bad credentials. */
export class ImagePullError extends SandboxEvalError {
  readonly code = 'SE_IMAGE_PULL';
  readonly exitCode = 2;
  override readonly httpStatus = 502;
}

/** A sandbox container could not be created or started, or did not become healthy in time. */
export class ContainerStartError extends SandboxEvalError {
  readonly code = 'SE_CONTAINER_START';
  readonly exitCode = 2;
  override readonly httpStatus = 503;
}

/** The docker provider knows no image for a dataset. */
export class NoSandboxImageError extends SandboxEvalError {
  readonly code = 'SE_NO_IMAGE';
  readonly exitCode = 3;
  constructor(dataset: string, known: readonly string[]) {
    super(
      `The docker provider has no sandbox image for dataset "${dataset}". Datasets with an image: ${listOf(known)}. ` +
        `Name one in eval.config.ts: \`docker: { images: { ${JSON.stringify(dataset)}: { image: 'registry/repo:tag' } } }\` (it must speak the training-sandbox wire protocol on its port).`,
    );
  }
}

/** AppWorld was asked for where no AppWorld server or image is available (the embedded provider). */
export class AppWorldUnavailableError extends SandboxEvalError {
  readonly code = 'SE_APPWORLD_UNAVAILABLE';
  readonly exitCode = 3;
  override readonly httpStatus = 503;
}

/** A BFCL data directory is missing files or holds malformed ones (`--data` points at the wrong place). */
export class BfclDataError extends SandboxEvalError {
  readonly code = 'SE_BFCL_DATA';
  readonly exitCode = 3;
}

/** BFCL's long_context category needs BFCL's own filler text, found only in a BFCL checkout. */
export class BfclLongContextUnavailableError extends SandboxEvalError {
  readonly code = 'SE_BFCL_LONG_CONTEXT';
  readonly exitCode = 3;
  constructor(dataDir: string, expectedAt: string) {
    super(
      `${dataDir} holds the multi_turn_long_context category, whose filler text is BFCL's own and is read from a BFCL checkout, but ${expectedAt} does not exist. ` +
        'Point --data at bfcl_eval/data inside a checkout of github.com/ShishirPatil/gorilla (berkeley-function-call-leaderboard), or remove BFCL_v4_multi_turn_long_context.json from the directory.',
    );
  }
}

// ---- model servers (added with src/agents/openai.ts) ----

/**
 * An OpenAI-compatible model server refused or failed a chat-completions request (after the retries
 * that apply); `status` is its HTTP status when it answered at all.
 */
export class ModelRequestError extends SandboxEvalError {
  readonly code = 'SE_MODEL_REQUEST';
  readonly exitCode = 2;
  override readonly httpStatus = 502;
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
