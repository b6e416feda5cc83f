import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JUnitReporter } from '../../src/reporters/junit.js';
import type { RunPlan, TaskResult } from '../../src/reporters/types.js';
import { Capture, plan, result, scenario, summarize } from './fixtures.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const xsd = resolve(repoRoot, process.env.JUNIT_XSD ?? '../shared/data/junit/JUnit.xsd');
const hasXmllint = !spawnSync('xmllint', ['--version']).error;
const canValidate = hasXmllint && existsSync(xsd);
const mustValidate = process.env.CI === 'true';
if (!canValidate && !mustValidate) {
  console.warn(
    `SKIPPED: JUnit schema validation: ${hasXmllint ? `no XSD at ${xsd} (set JUNIT_XSD)` : 'xmllint is missing (apt-get install -y libxml2-utils)'}`,
  );
}

/** Validates with xmllint against the Ant JUnit schema (xmllint's complaints show in the failure). */
function validate(file: string): void {
  if (!canValidate) {
    // outside CI the skip was announced above and the other checks still run; in CI it is a failure
    if (!mustValidate) return;
    throw new Error(hasXmllint ? `No JUnit XSD at ${xsd}; set JUNIT_XSD.` : 'xmllint is missing: apt-get install -y libxml2-utils');
  }
  const run = spawnSync('xmllint', ['--noout', '--schema', xsd, file], { encoding: 'utf8' });
  expect(run.stderr).toMatch(/ validates\n?$/);
  expect(run.status).toBe(0);
}

/** The suites of a JUnit document, with their counts and cases, read back with plain regexes. */
function parseSuites(xml: string) {
  const suites = [...xml.matchAll(/<testsuite (.*?)>([\s\S]*?)<\/testsuite>/g)].map(([, attrs = '', body = '']) => {
    const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(attrs)?.[1];
    const cases = [...body.matchAll(/<testcase name="([^"]*)" classname="([^"]*)" time="([^"]*)"(\/>|>([\s\S]*?)<\/testcase>)/g)];
    return {
      name: attr('name'),
      tests: Number(attr('tests')),
      failures: Number(attr('failures')),
      errors: Number(attr('errors')),
      time: attr('time'),
      timestamp: attr('timestamp'),
      properties: Object.fromEntries([...body.matchAll(/<property name="([^"]*)" value="([^"]*)"\/>/g)].map((m) => [m[1], m[2]])),
      cases: cases.map((m) => ({ name: m[1], classname: m[2], time: m[3], body: m[5] ?? '' })),
    };
  });
  return suites;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'se-junit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(reporter: JUnitReporter, runPlan: RunPlan, results: TaskResult[]) {
  await reporter.onRunStart(runPlan);
  await Promise.all(results.map((r) => reporter.onTaskEnd(r)));
  await reporter.onRunEnd(summarize(runPlan, results), 'failed');
}

describe('JUnitReporter', () => {
  it('writes XML that validates against the Ant JUnit schema and carries every task', async () => {
    const { plan: runPlan, results } = scenario();
    const outputFile = join(dir, 'reports', 'junit.xml');
    await run(new JUnitReporter({ outputFile }), runPlan, results);
    validate(outputFile);

    const xml = await readFile(outputFile, 'utf8');
    const suites = parseSuites(xml);
    expect(suites.map((s) => s.name)).toEqual(['bfcl multi-turn', 'guess &lt;&amp;&gt; &quot;quotes&quot;']);
    const [bfcl, guess] = suites;
    expect(bfcl).toMatchObject({ tests: 6, failures: 1, errors: 3, time: '1.000', timestamp: '2025-03-04T05:06:07' });
    expect(guess).toMatchObject({ tests: 4, failures: 1, errors: 1, time: '2.000' });
    for (const suite of suites) {
      expect(suite.cases).toHaveLength(suite.tests);
      expect(suite.cases.filter((c) => c.body.includes('<failure '))).toHaveLength(suite.failures);
      expect(suite.cases.filter((c) => c.body.includes('<error '))).toHaveLength(suite.errors);
      expect(new Set(suite.cases.map((c) => c.classname))).toEqual(new Set([suite.name]));
    }
    expect(xml.match(/<testcase /g)).toHaveLength(10);

    // names: task id alone, or with the trial when the suite runs several
    expect(bfcl?.cases.map((c) => c.name)).toEqual([
      'multi_turn_base_1',
      'multi_turn_base_2',
      'multi_turn_base_3',
      'multi_turn_base_4',
      'multi_turn_base_7',
      'multi_turn_base_10',
    ]);
    expect(guess?.cases.map((c) => c.name)).toEqual(['g-1 [trial 0]', 'g-1 [trial 1]', 'g-2 [trial 0]', 'g-2 [trial 1]']);
    expect(bfcl?.cases.find((c) => c.name === 'multi_turn_base_7')?.time).toBe('60.000');

    // failure: reward against threshold; error: its kind as type
    const failed = bfcl?.cases.find((c) => c.name === 'multi_turn_base_2');
    expect(failed?.body).toContain('<failure message="reward 0.5 is below the pass threshold 1" type="reward">');
    const timedOut = bfcl?.cases.find((c) => c.name === 'multi_turn_base_7');
    expect(timedOut?.body).toContain('type="timeout"');
    expect(timedOut?.body).toContain('message="Agent exceeded 60s&#10;while thinking"');
    expect(timedOut?.body).toContain('SE_TIMEOUT');
    expect(guess?.cases.find((c) => c.name === 'g-2 [trial 0]')?.body).toContain('type="agent"');

    // properties: suite facts, and per test case reward, steps (and trial)
    expect(bfcl?.properties).toMatchObject({
      dataset: 'bfcl',
      split: 'val',
      file: 'evals/bfcl.eval.ts',
      pass: '1',
      'multi_turn_base_2.reward': '0.5',
      'multi_turn_base_2.steps': '12',
    });
    expect(guess?.properties).toMatchObject({ dataset: 'guess', split: 'test', 'g-2 [trial 1].reward': '0.25', 'g-2 [trial 1].trial': '1' });

    // characters XML 1.0 cannot carry are replaced; `]]>` never appears as such
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(xml).toContain('ECONNREFUSED 127.0.0.1:8080 &lt;sandbox&gt; &amp; &quot;retry&quot; ]]&gt; \uFFFD\uFFFD done');
    expect(xml).not.toContain(']]>');

    expect(await readdir(join(dir, 'reports'))).toEqual(['junit.xml']);
  });

  it('validates with hostile ids: control characters, lone surrogates, markup, long messages', async () => {
    const runPlan = plan([{ name: '  spaced \t suite ', dataset: 'd', split: 's', tasks: 3, pass: 1 }]);
    const results = [
      result({ suite: '  spaced \t suite ', taskId: 'id\u0000with\u001Fcontrols\uD800', status: 'failed', reward: 0.1 }),
      result({ suite: '  spaced \t suite ', taskId: '<script>"&\'', status: 'errored', reward: 0, error: { kind: 'env', message: `${'long '.repeat(5000)}\r\n]]>` } }),
      result({ suite: '  spaced \t suite ', taskId: '', durationMs: -5 }),
    ];
    const outputFile = join(dir, 'hostile.xml');
    await run(new JUnitReporter({ outputFile }), runPlan, results);
    validate(outputFile);
    const [suite] = parseSuites(await readFile(outputFile, 'utf8'));
    expect(suite?.cases.map((c) => c.name)).toEqual(['', '&lt;script&gt;&quot;&amp;\'', 'id\uFFFDwith\uFFFDcontrols\uFFFD']);
    expect(suite?.cases[0]?.time).toBe('0.000');
  });

  it('writes to stdout when there is no output file', async () => {
    const { plan: runPlan, results } = scenario();
    const stdout = new Capture();
    await run(new JUnitReporter({ stdout }), runPlan, results);
    const file = join(dir, 'from-stdout.xml');
    await writeFile(file, stdout.text);
    validate(file);
    expect(parseSuites(stdout.text).reduce((sum, s) => sum + s.tests, 0)).toBe(10);
  });

  it('validates a run that finished no task at all', async () => {
    const runPlan = plan([{ name: 'empty', dataset: 'd', split: 's', tasks: 2, pass: 1 }]);
    const outputFile = join(dir, 'empty.xml');
    await run(new JUnitReporter({ outputFile }), runPlan, []);
    validate(outputFile);
    expect(parseSuites(await readFile(outputFile, 'utf8'))).toMatchObject([{ name: 'empty', tests: 0, cases: [] }]);
  });
});
