import type Docker from 'dockerode';
import { DockerUnavailableError } from '../../errors.js';
import { dockerReason } from './engine.js';

/**
 * How sandbox containers are found again: every one carries the run's id as a label and a name in a
 * fixed pattern, so a crashed run's leftovers can be listed and removed (`sandbox-eval cleanup`).
 */

export const LABELS = {
  /** The run that started the container; every sandbox-eval container has it. */
  run: 'sandbox-eval.run',
  /** The datasets the container serves in that run, comma-separated. */
  dataset: 'sandbox-eval.dataset',
  /** The image's name in the image registry (`sandbox-eval`, `agentscope-appworld`, ...). */
  image: 'sandbox-eval.image',
} as const;

/** "sandbox-eval-<runId>-<image>-<n>": Docker allows [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
export function containerName(options: { runId: string; image: string; index: number }): string {
  const safe = (text: string) => text.replace(/[^a-zA-Z0-9_.-]+/g, '-');
  return `sandbox-eval-${safe(options.runId)}-${safe(options.image)}-${options.index}`;
}

/** Containers of one run, or of every run, running or not. */
export function listSandboxContainers(docker: Docker, runId?: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [runId === undefined ? LABELS.run : `${LABELS.run}=${runId}`] } });
}

/** Force-removes the given containers; answers how many it removed. One that is already gone is not counted. */
export async function removeContainers(docker: Docker, ids: readonly string[]): Promise<number> {
  const results = await Promise.allSettled(ids.map((id) => docker.getContainer(id).remove({ force: true, v: true })));
  const failures: string[] = [];
  let removed = 0;
  results.forEach((result, index) => {
    if (result.status === 'fulfilled') removed += 1;
    else {
      const status = (result.reason as { statusCode?: number }).statusCode;
      // 404: already gone; 409: the engine is removing it already
      if (status !== 404 && status !== 409) failures.push(`${ids[index]!.slice(0, 12)} (${dockerReason(result.reason)})`);
    }
  });
  if (failures.length) {
    throw new DockerUnavailableError(`Could not remove containers ${failures.join(', ')}. Remove them with \`docker rm -f <id>\`.`);
  }
  return removed;
}

/** Removes every container of `runId` (or of every run); answers how many. */
export async function removeSandboxContainers(docker: Docker, runId?: string): Promise<number> {
  const containers = await listSandboxContainers(docker, runId);
  return removeContainers(
    docker,
    containers.map((container) => container.Id),
  );
}
