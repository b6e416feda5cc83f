import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reportSchema } from '../../src/reporters/report-schema.js';
import { runCli, tempProject, type TempProject } from '../helpers/project.js';

const dataDir = process.env.BFCL_DATA_DIR;
if (!dataDir) console.warn('SKIPPED: the BFCL CLI tests on real data need BFCL_DATA_DIR (e.g. ../shared/data/bfcl); .ci/run sets it.');

let project: TempProject | undefined;
afterEach(() => project?.remove());

describe.skipIf(!dataDir)('bfcl through the whole CLI, on real BFCL data', () => {
  it('the oracle scores 200/200 (reward 1.0) on the base category', async () => {
    project = tempProject();
    const result = await runCli(
      ['run', '--dataset', 'bfcl', '--split', 'multi_turn_base', '--agent', 'oracle', '--data', dataDir!, '--max-steps', '400', '--reporter', 'json', '--output-file', 'r.json', '--reporter', 'junit', '--output-file.junit=r.xml'],
      { cwd: project.dir, timeoutMs: 120_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = reportSchema.parse(JSON.parse(readFileSync(join(project.dir, 'r.json'), 'utf8')));
    expect(report.summary).toEqual({ tasks: 200, passed: 200, failed: 0, errored: 0, meanReward: 1 });
    const evaluation = report.suites[0]!.tasks[0]!.evaluation as Record<string, unknown>;
    expect(evaluation).toMatchObject({ valid: true, accuracy: 1, test_category: 'multi_turn_base' });
    expect((readFileSync(join(project.dir, 'r.xml'), 'utf8').match(/<testcase /g) ?? []).length).toBe(200);
  });
});

describe('bfcl without --data', () => {
  it('serves the project fixtures, and the oracle passes them', async () => {
    project = tempProject();
    const result = await runCli(['run', '--dataset', 'bfcl', '--split', 'test', '--agent', 'oracle', '--max-steps', '200', '--reporter', 'json', '--output-file', 'r.json'], { cwd: project.dir });
    expect(result.code).toBe(0);
    const report = reportSchema.parse(JSON.parse(readFileSync(join(project.dir, 'r.json'), 'utf8')));
    expect(report.summary.tasks).toBeGreaterThanOrEqual(8);
    expect(report.summary.meanReward).toBe(1);
  });
});
