import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinEnvironments } from '../../src/envs/builtins.js';
import { EnvironmentRegistry } from '../../src/envs/registry.js';
import type { SandboxProvider } from '../../src/providers/types.js';
import type { TaskResult } from '../../src/reporters/types.js';
import { runEvals, type ProviderSource, type RunEvalsOptions } from '../../src/runner/run.js';
import { WarmProvider } from '../../src/watch/warm-provider.js';
import { tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
let warm: WarmProvider | undefined;
afterEach(async () => {
  await warm?.close({ keep: false });
  project?.remove();
});

describe('WarmProvider with runEvals({ sharedProvider, registry, select })', () => {
  it('hands every run the same initialised provider and loaded environments, and closes them only on close', async () => {
    project = tempProject();
    warm = new WarmProvider();
    const registry = new EnvironmentRegistry(builtinEnvironments);
    const handed: SandboxProvider[] = [];
    const source: ProviderSource = async (options, run) => {
      const provider = await warm!.source(options, run);
      handed.push(provider);
      return provider;
    };
    const run = async (select?: RunEvalsOptions['select']) => {
      const results: TaskResult[] = [];
      const outcome = await runEvals({
        root: project!.dir,
        dataset: 'guess',
        split: 'val',
        agent: 'oracle',
        limit: 4,
        stdout: new PassThrough(),
        stderr: new PassThrough(),
        sharedProvider: source,
        registry,
        ...(select ? { select } : {}),
        extraReporters: [{ onTaskEnd: (result) => void results.push(result) }],
      });
      return { outcome, ids: results.map((result) => result.taskId).sort() };
    };

    const first = await run();
    expect(first.ids).toHaveLength(4);
    const loaded = await registry.load('guess');
    const [kept] = first.ids;
    const second = await run(({ suite, taskId }) => suite === 'guess/val' && taskId === kept);
    expect(second.ids).toEqual([kept]);
    expect(second.outcome.summary.summary.tasks).toBe(1);

    expect(handed).toHaveLength(2);
    expect(handed[1]).toBe(handed[0]);
    expect(await registry.load('guess')).toBe(loaded);
    // the runs left it open
    const sandbox = await handed[0]!.acquire('guess');
    await expect(sandbox.getTaskIds({ envType: 'guess', split: 'val' })).resolves.toContain(kept);
    await warm.close({ keep: false });
    await expect(sandbox.getTaskIds({ envType: 'guess', split: 'val' })).rejects.toMatchObject({ code: 'SE_SANDBOX_CLOSED' });
  });

  it('replaces the provider, closing the old one, when the run asks for other settings', async () => {
    warm = new WarmProvider();
    const registry = new EnvironmentRegistry(builtinEnvironments);
    const base = { name: 'embedded' as const, registry, urls: [], dataDirs: {} };
    const info = { runId: 'r1', datasets: [] };
    const first = await warm.source(base, info);
    expect(await warm.source({ ...base }, { runId: 'r2', datasets: [] })).toBe(first);
    const sandbox = await first.acquire('guess');
    const second = await warm.source({ ...base, dataDirs: { guess: '/elsewhere' } }, info);
    expect(second).not.toBe(first);
    await expect(sandbox.getTaskIds({ envType: 'guess', split: 'val' })).rejects.toMatchObject({ code: 'SE_SANDBOX_CLOSED' });
  });
});
