import type Docker from 'dockerode';
import { ContainerStartError, isSandboxEvalError } from '../../errors.js';
import { waitForHealthy } from '../../sandbox/http-client.js';
import { dockerReason, type DockerEngine } from './engine.js';
import type { ResolvedImage } from './images.js';

/** Starts one sandbox container and waits until its server answers /healthz. */

export interface StartContainerOptions {
  engine: DockerEngine;
  image: ResolvedImage;
  name: string;
  labels: Record<string, string>;
  /** Passed as SANDBOX_EVAL_TOKEN; our server requires it off loopback, AgentScope's ignores it. */
  token: string;
  /** Host directories mounted read-only at /data/<dataset> (our image only). */
  dataDirs: Record<string, string>;
}

export interface StartedContainer {
  id: string;
  name: string;
  /** Base URL of the wire protocol: http://<engine host>:<published port>. */
  url: string;
  container: Docker.Container;
}

/** Where our image finds `--data.<dataset>` directories. */
export const CONTAINER_DATA_ROOT = '/data';

export async function startSandboxContainer(options: StartContainerOptions): Promise<StartedContainer> {
  const { engine, image, name } = options;
  const portKey = `${image.port}/tcp`;
  const datasets = Object.keys(options.dataDirs);
  let container: Docker.Container | undefined;
  try {
    container = await engine.docker.createContainer({
      name,
      Image: image.ref,
      Labels: options.labels,
      Env: [...Object.entries(image.env).map(([key, value]) => `${key}=${value}`), `SANDBOX_EVAL_TOKEN=${options.token}`],
      // our image's entrypoint is `sandbox-eval`; the command only changes to add data directories
      ...(image.server === 'sandbox-eval' && datasets.length
        ? { Cmd: ['serve', '--host', '0.0.0.0', '--port', String(image.port), ...datasets.map((dataset) => `--data.${dataset}=${CONTAINER_DATA_ROOT}/${dataset}`)] }
        : {}),
      ExposedPorts: { [portKey]: {} },
      HostConfig: {
        // a local engine publishes on loopback only; a remote one must publish where this machine can reach it
        PortBindings: { [portKey]: [{ HostIp: engine.remote ? '' : '127.0.0.1', HostPort: '' }] },
        ...(image.shmSizeBytes ? { ShmSize: image.shmSizeBytes } : {}),
        ...(datasets.length ? { Binds: datasets.map((dataset) => `${options.dataDirs[dataset]}:${CONTAINER_DATA_ROOT}/${dataset}:ro`) } : {}),
      },
    });
    await container.start();
    const info = await container.inspect();
    const hostPort = info.NetworkSettings.Ports[portKey]?.[0]?.HostPort;
    if (!hostPort) throw new Error(`the engine published no host port for ${portKey}`);
    const url = `http://${engine.host.includes(':') ? `[${engine.host}]` : engine.host}:${hostPort}`;
    await healthyOrExited(container, url, image.healthDeadlineMs);
    return { id: container.id, name, url, container };
  } catch (error) {
    const logs = container ? await tailLogs(container) : '';
    // a half-built container is removed before the error is passed on
    if (container) await container.remove({ force: true }).catch(() => undefined);
    const reason = isSandboxEvalError(error) ? error.message : dockerReason(error);
    throw new ContainerStartError(
      `Could not start a sandbox container from ${image.ref}: ${reason}${logs ? `\nLast lines of its log:\n${logs}` : ''}\n` +
        `Check that the image serves the training-sandbox protocol on port ${image.port} (\`docker.images.<dataset>.port\`); a slow start needs a larger \`healthDeadlineMs\` (now ${image.healthDeadlineMs} ms).`,
      { cause: error },
    );
  }
}

/** Waits for /healthz, but gives up at once when the container exits (a bad command, a crash). */
async function healthyOrExited(container: Docker.Container, url: string, deadlineMs: number): Promise<void> {
  const stopWaiting = new AbortController();
  const exited = container.wait({ abortSignal: stopWaiting.signal }).then(
    (result: { StatusCode?: number }) => {
      throw new Error(`the container exited with code ${result.StatusCode ?? '?'} before it was healthy`);
    },
    () => new Promise<never>(() => undefined), // aborted or unanswered: the health wait decides
  );
  try {
    await Promise.race([waitForHealthy({ url, deadlineMs }), exited]);
  } finally {
    stopWaiting.abort();
  }
}

/** The last lines a container wrote, stdout and stderr together. */
export async function tailLogs(container: Docker.Container, lines = 20): Promise<string> {
  try {
    const raw = (await container.logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer;
    return demultiplex(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw))).trimEnd();
  } catch {
    // logs are a courtesy in an error message; their absence must not hide the error itself
    return '';
  }
}

/** Docker multiplexes a non-TTY container's streams: frames of [stream, 0, 0, 0, size (4 bytes BE)] + payload. */
function demultiplex(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length && buffer[offset]! <= 2 && buffer.readUIntBE(offset + 1, 3) === 0) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return offset === 0 ? buffer.toString('utf8') : Buffer.concat(parts).toString('utf8');
}
