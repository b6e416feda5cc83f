import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinEnvironments } from '../../src/envs/builtins.js';
import { EnvironmentRegistry } from '../../src/envs/registry.js';
import type { TaskResult } from '../../src/reporters/types.js';
import { runEvals } from '../../src/runner/run.js';
import { serve, type ServeHandle } from '../../src/sandbox/http-server.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let servers: ServeHandle[] = [];
let project: TempProject | undefined;
afterEach(async () => {
  await Promise.all(servers.map((server) => server.close()));
  servers = [];
  project?.remove();
});

/** Two real servers on loopback; the agent stops the first one during the first episode it serves. */
async function runWithDyingServer(retries: number): Promise<{ results: TaskResult[]; exitCode: number; retried?: number }> {
  const registry = () => new EnvironmentRegistry(builtinEnvironments);
  const [a, b] = await Promise.all([serve({ port: 0, registry: registry() }), serve({ port: 0, registry: registry() })]);
  servers = [a, b];
  project = tempProject();
  let killed = false;
  const results: TaskResult[] = [];
  const outcome = await runEvals({
    root: project.dir,
    dataset: 'guess',
    split: 'val',
    agent: 'oracle',
    limit: 6,
    provider: 'remote',
    urls: [a.url, b.url],
    concurrency: 1,
    retries,
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    extraReporters: [
      {
        async onTaskStart() {
          if (!killed) {
            killed = true;
            await a.close();
          }
        },
        onTaskEnd: (result) => void results.push(result),
      },
    ],
  });
  return { results, exitCode: outcome.exitCode, ...(outcome.summary.retries ? { retried: outcome.summary.retries } : {}) };
}

describe('retries of infrastructure errors', () => {
  it('re-run an episode whose server died on another server, and record the attempts', async () => {
    const { results, exitCode, retried } = await runWithDyingServer(1);
    expect(results).toHaveLength(6);
    expect(results.every((result) => result.status === 'passed')).toBe(true);
    const attempts = results.filter((result) => result.attempts === 2);
    expect(attempts.length).toBeGreaterThan(0);
    expect(retried).toBe(attempts.length);
    expect(exitCode).toBe(0);
  });

  it('without retries, those episodes are infrastructure errors (exit 2) and the others still pass', async () => {
    const { results, exitCode } = await runWithDyingServer(0);
    expect(results).toHaveLength(6);
    const errored = results.filter((result) => result.status === 'errored');
    expect(errored.length).toBeGreaterThan(0);
    expect(errored.every((result) => result.error?.kind === 'infra' && result.error.code === 'SE_SANDBOX_UNAVAILABLE')).toBe(true);
    expect(results.filter((result) => result.status === 'passed').length).toBe(6 - errored.length);
    expect(exitCode).toBe(2);
  });
});
