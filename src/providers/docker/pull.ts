import { ImagePullError } from '../../errors.js';
import type { DockerEngine } from './engine.js';
import { dockerReason } from './engine.js';
import type { RegistryAuth } from './images.js';

/** Pulls sandbox images, with credentials and a throttled progress line. */

export interface EnsureImageOptions {
  engine: DockerEngine;
  /** The exact reference: "127.0.0.1:5000/sandbox-eval/sandbox:0.1.0". */
  ref: string;
  auth?: RegistryAuth;
  /** Where progress lines go (the provider writes them to stderr). */
  log: (line: string) => void;
  /** Least time between two progress lines. @default 2000 */
  intervalMs?: number;
}

interface PullEvent {
  id?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  progressDetail?: { current?: number; total?: number };
}

const MB = 1024 * 1024;

/** Pulls `ref` unless the engine already has it. Answers whether it pulled. */
export async function ensureImage(options: EnsureImageOptions): Promise<'present' | 'pulled'> {
  const { engine, ref, auth, log } = options;
  try {
    await engine.docker.getImage(ref).inspect();
    return 'present';
  } catch (error) {
    // 404 means "not here yet": pull it; anything else is the engine failing
    if ((error as { statusCode?: number }).statusCode !== 404) throw pullError(options, dockerReason(error), error);
  }

  const started = performance.now();
  const interval = options.intervalMs ?? 2000;
  let lastLine = 0;
  let lastText = '';
  const layers = new Map<string, { current: number; total: number }>();
  log(`pulling ${ref} ...`);
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await engine.docker.pull(ref, auth ? { authconfig: auth } : {})) as NodeJS.ReadableStream;
  } catch (error) {
    throw pullError(options, dockerReason(error), error);
  }
  const events = await new Promise<PullEvent[]>((resolve, reject) => {
    engine.docker.modem.followProgress(
      stream,
      (error: Error | null, output: PullEvent[]) => (error ? reject(pullError(options, dockerReason(error), error)) : resolve(output)),
      (event: PullEvent) => {
        const detail = event.progressDetail;
        if (event.id && event.status === 'Downloading' && detail?.total) {
          layers.set(event.id, { current: detail.current ?? 0, total: detail.total });
        } else if (event.id && (event.status === 'Download complete' || event.status === 'Already exists')) {
          const layer = layers.get(event.id);
          if (layer) layer.current = layer.total;
        }
        const now = performance.now();
        if (layers.size > 0 && now - lastLine >= interval) {
          lastLine = now;
          let current = 0;
          let total = 0;
          for (const layer of layers.values()) {
            current += layer.current;
            total += layer.total;
          }
          const line = `pulling ${ref}: ${(current / MB).toFixed(1)}/${(total / MB).toFixed(1)} MB in ${layers.size} layers`;
          if (line !== lastText) log(line);
          lastText = line;
        }
      },
    );
  });
  const failed = events.find((event) => event.error);
  if (failed) throw pullError(options, failed.errorDetail?.message ?? failed.error ?? 'unknown error');
  log(`pulled ${ref} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 'pulled';
}

function pullError(options: EnsureImageOptions, reason: string, cause?: unknown): ImagePullError {
  const credentials = options.auth
    ? 'check the credentials in `docker.auth`'
    : 'if the registry needs credentials, set `docker: { auth: { username, password } }` in eval.config.ts';
  return new ImagePullError(
    `Could not pull ${options.ref}: ${reason}. Check the image name and tag (\`docker.images\`, \`docker.registry\`), that the registry is reachable from the Docker engine at ${options.engine.address}, and ${credentials}. ` +
      `Or put the image there yourself (\`docker pull ${options.ref}\`, or build ours from docker/Dockerfile).`,
    cause === undefined ? undefined : { cause },
  );
}
