import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { z } from 'zod';
import {
  ConfigError,
  InternalError,
  InvalidRequestError,
  MethodNotAllowedError,
  PayloadTooLargeError,
  RequestValidationError,
  RouteNotFoundError,
  UnauthorizedError,
  isSandboxEvalError,
} from '../errors.js';
import type { EnvironmentRegistry } from '../envs/registry.js';
import { ENDPOINTS, formatZodError, messageSchema, requestEnvelopeSchema, type RequestEnvelope } from '../protocol/schemas.js';
import { InstanceManager } from './instance-manager.js';

/**
 * The training-sandbox server: AgentScope's container protocol (spec §3) over node:http, so
 * AgentScope's Python client and RL trainers can use our environments. Built apart from listening:
 * `createSandboxServer` returns a server that is not listening yet, `listen` starts it, and `serve`
 * does both for the CLI.
 */

export interface SandboxServerOptions {
  /** Holds the instances; the server releases them all on close(). */
  manager: InstanceManager;
  /** When set, every endpoint but /healthz needs `Authorization: Bearer <token>`. Required off loopback. */
  token?: string;
  /** Largest request body accepted; bigger ones get 413. @default 10 MiB */
  bodyLimitBytes?: number;
  /** The host `listen` binds when it is given none. @default "127.0.0.1" */
  host?: string;
}

export interface SandboxServer {
  /** The underlying node server (not listening until `listen`). */
  readonly server: Server;
  /** Binds and starts answering; port 0 picks a free port. */
  listen(options?: { host?: string; port?: number }): Promise<{ url: string; port: number }>;
  /** Stops accepting, lets in-flight requests finish, then releases every instance. Idempotent. */
  close(): Promise<void>;
}

type Reply = { status: number; body: unknown };
type Handler = (envelope: RequestEnvelope) => Promise<Reply>;

const JSON_TYPE = 'application/json; charset=utf-8';

/** True for hosts only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(bare);
}

function assertTokenForHost(host: string, token: string | undefined): void {
  if (!token && !isLoopbackHost(host)) {
    throw new ConfigError(
      `Refusing to serve on "${host}" without a token: anyone who can reach it could run environments. Pass a token (\`--token\`), or bind to 127.0.0.1.`,
    );
  }
}

function required(value: string | null, field: string, hint: string): string {
  if (value === null || value === '') throw new InvalidRequestError(`${field} is required: ${hint}`);
  return value;
}

const profileParamsSchema = z.looseObject({ split: z.string().default('train') });

function parseWith<S extends z.ZodType>(schema: S, value: unknown, root: string): z.output<S> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (!parsed.success) throw new RequestValidationError(`${formatZodError(parsed.error, { root })}.`);
  return parsed.data;
}

const ok = (data: unknown): Reply => ({ status: 200, body: { success: true, data } });

function routesFor(manager: InstanceManager): Map<string, Handler> {
  const instanceId = (envelope: RequestEnvelope) =>
    required(envelope.instance_id, 'instance_id', 'send the id that /create answered in data.info.instance_id.');
  return new Map<string, Handler>([
    [
      ENDPOINTS.getEnvProfile,
      async (envelope) => {
        const envType = required(envelope.env_type, 'env_type', 'name the environment, e.g. "bfcl".');
        const { split } = parseWith(profileParamsSchema, envelope.params, 'params');
        return ok(await manager.taskIds({ envType, split }));
      },
    ],
    [
      ENDPOINTS.create,
      async (envelope) => {
        const envType = required(envelope.env_type, 'env_type', 'name the environment to create, e.g. "bfcl".');
        const taskId = required(envelope.task_id, 'task_id', 'pick one from /get_env_profile.');
        // an empty id means "make one", as upstream treats any falsy id
        const given = envelope.instance_id || undefined;
        return ok(await manager.create({ envType, taskId, params: envelope.params, ...(given ? { instanceId: given } : {}) }));
      },
    ],
    [
      ENDPOINTS.step,
      async (envelope) => {
        const action = parseWith(messageSchema, envelope.messages, 'messages');
        return ok(await manager.step({ instanceId: instanceId(envelope), action, params: envelope.params }));
      },
    ],
    [
      ENDPOINTS.evaluate,
      async (envelope) => ok(await manager.evaluate({ instanceId: instanceId(envelope), messages: envelope.messages, params: envelope.params })),
    ],
    [
      ENDPOINTS.getInfo,
      async (envelope) => ok(await manager.getInfo({ instanceId: instanceId(envelope), messages: envelope.messages, params: envelope.params })),
    ],
    [
      ENDPOINTS.release,
      async (envelope) => ({ status: 200, body: { success: await manager.release({ instanceId: instanceId(envelope) }), data: null } }),
    ],
  ]);
}

/**
 * The body, up to `limit` bytes. An oversize body is still read (and dropped) up to the limit plus
 * max(limit, 1 MiB) before the 413: a server that stops reading and closes makes the kernel reset the
 * connection, and a client still writing its body then loses the answer. Past that, it is closed.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const drainLimit = limit + Math.max(limit, 1024 * 1024);
  const declared = Number(req.headers['content-length']);
  if (declared > drainLimit) return Promise.reject(new PayloadTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (chunks.length) chunks.length = 0;
      if (size > drainLimit) {
        req.removeAllListeners('data');
        reject(new PayloadTooLargeError(limit));
      }
    });
    req.on('end', () => (size > limit ? reject(new PayloadTooLargeError(limit)) : resolve(Buffer.concat(chunks, size))));
    // the client went away or broke the body's framing (a bad chunk): its fault, not the server's
    req.on('error', (error) => reject(new InvalidRequestError(`The request body could not be read (${error.message}).`, { cause: error })));
    req.on('close', () => {
      if (!req.complete) reject(new InvalidRequestError('The client closed the connection before the request body was complete.'));
    });
  });
}

function parseEnvelope(raw: Buffer): RequestEnvelope {
  const hint = 'Send a JSON object with env_type, task_id, instance_id, messages and params.';
  if (raw.length === 0) throw new RequestValidationError(`The request body is empty. ${hint}`);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    // a syntax error is the client's mistake: answer 422 and say where it is
    throw new RequestValidationError(`The request body is not valid JSON (${(error as Error).message}). ${hint}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestValidationError(`Expected the request body to be a JSON object, got ${describeBody(body)}. ${hint}`);
  }
  return parseWith(requestEnvelopeSchema, body, '');
}

function describeBody(body: unknown): string {
  return body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`;
}

/** Builds the server without listening; see `listen` and `serve`. */
export function createSandboxServer(options: SandboxServerOptions): SandboxServer {
  const { manager, token } = options;
  const defaultHost = options.host ?? '127.0.0.1';
  assertTokenForHost(defaultHost, token);
  const bodyLimit = options.bodyLimitBytes ?? 10 * 1024 * 1024;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1) {
    throw new ConfigError(`Expected \`bodyLimitBytes\` to be an integer from 1 and up, got \`${bodyLimit}\`.`);
  }
  const expectedDigest = token ? createHash('sha256').update(token).digest() : undefined;
  const routes = routesFor(manager);
  const known = [ENDPOINTS.healthz, ENDPOINTS.metrics, ...routes.keys()];

  let inFlight = 0;
  let closing: Promise<void> | undefined;
  let onDrained: (() => void) | undefined;

  function authorise(req: IncomingMessage, res: ServerResponse): void {
    if (!expectedDigest) return;
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    res.setHeader('WWW-Authenticate', 'Bearer');
    if (!match) throw new UnauthorizedError('Missing bearer token: send `Authorization: Bearer <token>` with the token the server was started with.');
    // equal-length digests, so the comparison takes the same time whatever the token's length
    const digest = createHash('sha256').update(match[1]!).digest();
    if (!timingSafeEqual(digest, expectedDigest)) throw new UnauthorizedError('Bearer token rejected: it does not match the token the server was started with.');
    res.removeHeader('WWW-Authenticate');
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string): Promise<Reply | string> {
    const method = req.method ?? 'GET';
    if (path === ENDPOINTS.healthz) {
      if (method !== 'GET' && method !== 'HEAD') throw notAllowed(res, method, path, 'GET');
      return 'OK';
    }
    authorise(req, res);
    if (path === ENDPOINTS.metrics) {
      if (method !== 'GET') throw notAllowed(res, method, path, 'GET');
      return { status: 200, body: manager.metrics };
    }
    const handler = routes.get(path);
    if (!handler) throw new RouteNotFoundError(path, known);
    if (method !== 'POST') throw notAllowed(res, method, path, 'POST');
    return handler(parseEnvelope(await readBody(req, bodyLimit)));
  }

  function notAllowed(res: ServerResponse, method: string, path: string, allowed: string): MethodNotAllowedError {
    res.setHeader('Allow', allowed);
    return new MethodNotAllowedError(method, path, allowed);
  }

  function send(res: ServerResponse, status: number, contentType: string, text: string): void {
    if (closing) res.setHeader('Connection', 'close');
    res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  function sendError(req: IncomingMessage, res: ServerResponse, path: string, error: unknown): void {
    let known = isSandboxEvalError(error) ? error : undefined;
    if (!known) {
      // never put a stack in an answer; the operator gets it as a process warning instead
      const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.emitWarning(`Internal error while handling ${path}: ${stack}`, { code: 'SE_INTERNAL' });
      known = new InternalError(`Internal error while handling ${path}. This is a bug in sandbox-eval; please report it with the request that caused it.`);
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // the rest of an oversize body was not read, so the connection cannot be reused
    if (known instanceof PayloadTooLargeError && !req.complete) res.setHeader('Connection', 'close');
    send(res, known.httpStatus, JSON_TYPE, JSON.stringify({ detail: known.message, code: known.code }));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    inFlight += 1;
    const path = (req.url ?? '/').split('?', 1)[0]!;
    try {
      const reply = await route(req, res, path);
      if (typeof reply === 'string') send(res, 200, 'text/plain; charset=utf-8', reply);
      else send(res, reply.status, JSON_TYPE, JSON.stringify(reply.body));
    } catch (error) {
      try {
        sendError(req, res, path, error);
      } catch (sendFailure) {
        // the answer itself could not be written (socket gone): drop the connection, keep serving
        res.destroy(sendFailure as Error);
      }
    } finally {
      inFlight -= 1;
      if (inFlight === 0) onDrained?.();
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  server.on('clientError', answerClientError);

  async function shutdown(): Promise<void> {
    if (server.listening) {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) await new Promise<void>((resolve) => (onDrained = resolve));
      // drained: connections left open are idle keep-alives (or late arrivals answered with close)
      server.closeAllConnections();
      await stopped;
    }
    await manager.close();
  }

  return {
    server,
    async listen({ host = defaultHost, port = 0 } = {}) {
      assertTokenForHost(host, token);
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const bound = (server.address() as AddressInfo).port;
          const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
          resolve({ url: `http://${shown}:${bound}`, port: bound });
        });
      });
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };
}

/** The statuses node's own answer to a request it cannot parse would have had. */
const CLIENT_ERROR_STATUS: Record<string, number> = { HPE_HEADER_OVERFLOW: 431, ERR_HTTP_REQUEST_TIMEOUT: 408 };

/**
 * Answers a request node's HTTP parser rejected (bad framing, unknown method, headers too large) with
 * our JSON error instead of node's bare, bodyless 400, then closes the connection.
 */
function answerClientError(error: NodeJS.ErrnoException & { reason?: string }, socket: Duplex): void {
  const response = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
  // a reset socket, or one whose answer has begun, cannot take another answer
  if (error.code === 'ECONNRESET' || !socket.writable || response?.headersSent) {
    socket.destroy();
    return;
  }
  const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? 400;
  const reason = status === 431 ? 'its headers are too large' : status === 408 ? 'it did not arrive in time' : `${error.reason ?? 'it cannot be parsed'} (${error.code ?? 'parse error'})`;
  const problem = new InvalidRequestError(`The request is not valid HTTP/1.1: ${reason}. Send a POST with a JSON body to one of the protocol's endpoints.`);
  const body = JSON.stringify({ detail: problem.message, code: problem.code });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export interface ServeOptions {
  /** @default "127.0.0.1" */
  host?: string;
  /** @default 8080; 0 picks a free port */
  port?: number;
  /** Required when `host` is not loopback. */
  token?: string;
  registry: EnvironmentRegistry;
  /** Data directory per env type. */
  dataDirs?: Record<string, string>;
  /** See InstanceManagerOptions. @default 300_000 */
  idleTimeoutMs?: number;
  /** See InstanceManagerOptions. @default 10_000 */
  maxInstances?: number;
  /** @default 10 MiB */
  bodyLimitBytes?: number;
  /** Close gracefully on SIGINT and SIGTERM (the CLI sets this; tests do not). @default false */
  handleSignals?: boolean;
}

export interface ServeHandle {
  readonly url: string;
  readonly port: number;
  readonly manager: InstanceManager;
  readonly server: SandboxServer;
  /** Graceful: drains in-flight requests, releases every instance. Idempotent. */
  close(): Promise<void>;
}

/** Creates the manager and the server, and listens. */
export async function serve(options: ServeOptions): Promise<ServeHandle> {
  const host = options.host ?? '127.0.0.1';
  // checked before the manager exists, so a refused config leaves no sweep timer behind
  assertTokenForHost(host, options.token);
  const manager = new InstanceManager({
    registry: options.registry,
    ...(options.dataDirs ? { dataDirs: options.dataDirs } : {}),
    ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
    ...(options.maxInstances !== undefined ? { maxInstances: options.maxInstances } : {}),
  });
  let sandboxServer: SandboxServer;
  let address: { url: string; port: number };
  try {
    sandboxServer = createSandboxServer({
      manager,
      host,
      ...(options.token ? { token: options.token } : {}),
      ...(options.bodyLimitBytes !== undefined ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    });
    address = await sandboxServer.listen({ host, port: options.port ?? 8080 });
  } catch (error) {
    await manager.close();
    throw error;
  }
  const onSignal = (): void => {
    close().catch((error: unknown) => {
      // a signal handler has no caller to throw to; the operator sees why shutdown was unclean
      process.emitWarning(`Shutdown after a signal failed: ${error instanceof Error ? error.message : String(error)}`, { code: 'SE_ENV_ERROR' });
    });
  };
  const close = (): Promise<void> => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    return sandboxServer.close();
  };
  if (options.handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  return { ...address, manager, server: sandboxServer, close };
}
