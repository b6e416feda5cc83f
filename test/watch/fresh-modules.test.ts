import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

/**
 * Loads a.eval.ts twice in a fresh Node process with the built FreshModules (loader hooks only run in
 * Node's own loader, not in Vitest's), editing helper.ts in between, and reports what each
 * generation saw: the helper's value, whether the suite got the runner's sandbox-eval and the same
 * one as before, and the imports.
 */
const PROBE = `
const [dist, root] = process.argv.slice(1);
const { writeFileSync } = await import('node:fs');
const { relative } = await import('node:path');
const { FreshModules } = await import(dist + '/watch/fresh-modules.js');
const { loadModule, defaultExport } = await import(dist + '/load-module.js');
const library = await import(dist + '/index.js');
const modules = await FreshModules.start({ root });
const seen = [];
let before;
for (const version of ['H1', 'H2']) {
  writeFileSync(root + '/helper.ts', "export const helper = (): string => '" + version + "';\\n");
  const generation = modules.next();
  const suite = defaultExport(await loadModule(root + '/a.eval.ts'));
  const edges = [...new Set((await modules.imports()).map((edge) => (edge.parent ? relative(root, edge.parent) : '(runner)') + ' -> ' + relative(root, edge.child)))].sort();
  seen.push({ generation, value: suite.value, loadedLibrary: suite.defineEval === library.defineEval, libraryKept: before === undefined || suite.defineEval === before, edges });
  before = suite.defineEval;
}
console.log(JSON.stringify(seen));
`;

function probe(dir: string): unknown {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE, join(repoRoot, 'dist'), dir], { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`probe failed (${result.status}): ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!);
}

describe('FreshModules (built, in Node)', () => {
  const esm = {
    'agent.ts': `import { helper } from './helper.ts';\nexport const agent = (): string => 'agent+' + helper();\n`,
    'a.eval.ts': `import { defineEval } from 'sandbox-eval';\nimport { agent } from './agent.ts';\nexport default { value: agent(), defineEval };\n`,
  };
  // require() of a .ts file compiles it to CommonJS, the helper's export syntax included
  const commonJs = {
    'agent.ts': `const { helper } = require('./helper');\nmodule.exports = { agent: (): string => 'agent+' + helper() };\n`,
    'a.eval.ts': `const { defineEval } = require('sandbox-eval');\nconst { agent } = require('./agent');\nmodule.exports = { value: agent(), defineEval };\n`,
  };
  it.each([
    ['import syntax, no package.json (detected as ESM)', esm],
    ['import syntax, "type": "module"', { ...esm, 'package.json': '{ "type": "module" }\n' }],
    ['require syntax, no package.json (CommonJS)', commonJs],
  ])('re-evaluates a .ts eval file and the .ts modules it imports in a new generation, keeping sandbox-eval loaded: %s', (_kind, files) => {
    project = tempProject(files);
    const edges = ['(runner) -> a.eval.ts', 'a.eval.ts -> agent.ts', 'agent.ts -> helper.ts'];
    const library = { loadedLibrary: true, libraryKept: true };
    expect(probe(project.dir)).toEqual([
      { generation: 1, value: 'agent+H1', ...library, edges },
      { generation: 2, value: 'agent+H2', ...library, edges },
    ]);
  });
});
