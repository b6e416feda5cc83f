import type Docker from 'dockerode';
import { dockerode } from '../../lazy-require.js';
import { DockerUnavailableError } from '../../errors.js';

/**
 * The Docker engine a run talks to: reached through dockerode, which honours DOCKER_HOST (unix, tcp,
 * ssh), DOCKER_TLS_VERIFY and DOCKER_CERT_PATH as the docker CLI does.
 */
export interface DockerEngine {
  readonly docker: Docker;
  /** The engine as the user would name it, for messages: DOCKER_HOST, or the default socket. */
  readonly address: string;
  /** True when the engine runs on another machine (DOCKER_HOST tcp:// or ssh://). */
  readonly remote: boolean;
  /** Where published ports are reached: 127.0.0.1 for a local engine, DOCKER_HOST's host for a remote one. */
  readonly host: string;
  /** The engine's CPU architecture in Docker's names (`amd64`, `arm64`). */
  readonly arch: string;
  readonly version: string;
}

/** API 1.25 (Docker 1.13) has every call the provider makes: labels, filters, ShmSize, port bindings. */
const MIN_API = [1, 25] as const;

const INSTALL_HINT =
  'The docker provider needs a running Docker engine: install it (Debian/Ubuntu: `apt-get install docker.io`; elsewhere https://docs.docker.com/engine/install/), ' +
  'start it (`systemctl start docker`, or run `dockerd`), and check that this user may use it (`docker info`). ' +
  'For an engine on another machine set DOCKER_HOST=tcp://host:2376 or ssh://user@host. Or run without Docker: --provider embedded.';

/** Where the engine is, from DOCKER_HOST, without connecting. */
export function engineLocation(env: NodeJS.ProcessEnv = process.env): { address: string; remote: boolean; host: string } {
  const dockerHost = env.DOCKER_HOST;
  if (!dockerHost || dockerHost.startsWith('unix://') || dockerHost.startsWith('npipe://')) {
    return { address: dockerHost || 'unix:///var/run/docker.sock', remote: false, host: '127.0.0.1' };
  }
  let hostname: string;
  try {
    hostname = new URL(dockerHost).hostname.replace(/^\[|\]$/g, '');
  } catch {
    // the same value makes dockerode throw in connectEngine, with the same advice
    hostname = '';
  }
  // an ssh or tcp URL to this machine is still a local engine for reaching ports
  const local = hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '::1';
  return { address: dockerHost, remote: !local, host: local || !hostname ? '127.0.0.1' : hostname };
}

/** The reason text of a dockerode error (the engine's JSON message when there is one). */
export function dockerReason(error: unknown): string {
  const json = (error as { json?: { message?: unknown } } | undefined)?.json;
  if (json && typeof json.message === 'string') return json.message.trim();
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

/** Connects and checks the engine; DockerUnavailableError says what is missing and how to fix it. */
export async function connectEngine(options: { timeoutMs?: number } = {}): Promise<DockerEngine> {
  const location = engineLocation();
  let docker: Docker;
  try {
    docker = new (dockerode())();
  } catch (error) {
    throw new DockerUnavailableError(`Cannot use DOCKER_HOST=${JSON.stringify(location.address)}: ${dockerReason(error)}. ${INSTALL_HINT}`, { cause: error });
  }
  const timeoutMs = options.timeoutMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  let version: Docker.DockerVersion;
  try {
    version = await Promise.race([
      docker.version(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    throw new DockerUnavailableError(`Cannot reach the Docker engine at ${location.address}: ${dockerReason(error)}. ${INSTALL_HINT}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  const [major = 0, minor = 0] = String(version.ApiVersion).split('.').map(Number);
  if (major < MIN_API[0] || (major === MIN_API[0] && minor < MIN_API[1])) {
    throw new DockerUnavailableError(
      `The Docker engine at ${location.address} is too old: version ${version.Version} (API ${version.ApiVersion}); the docker provider needs API ${MIN_API.join('.')} (Docker 1.13) or newer. Upgrade it: https://docs.docker.com/engine/install/`,
    );
  }
  return { docker, ...location, arch: version.Arch, version: version.Version };
}
