import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasReliableInThreadHooks } from '../../src/load-module.js';
import { TYPESCRIPT_CACHE_DIR } from '../../src/typescript/compile.js';
import { alternatives } from '../../src/typescript/hooks.js';
import { repoRoot, tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

/**
 * Loads each named module with the built loadModule in a fresh Node process (loader hooks only run in
 * Node's own loader, not in Vitest's) and prints, per module, its exports as JSON or the error.
 * `same` says whether the module's `defineEval` is the runner's own copy of sandbox-eval.
 */
const PROBE = `
const [dist, root, ...files] = process.argv.slice(1);
const { loadModule, defaultExport } = await import(dist + '/load-module.js');
const library = await import(dist + '/index.js');
for (const file of files) {
  try {
    const module = await loadModule(root + '/' + file);
    const value = defaultExport(module) ?? module;
    let thrown;
    if (typeof value.run === 'function') try { value.run(); } catch (error) { thrown = error.stack.split('\\n').slice(0, 2).join(' | '); }
    console.log(JSON.stringify({ file, value, same: value.defineEval === undefined ? undefined : value.defineEval === library.defineEval, thrown }));
  } catch (error) {
    console.log(JSON.stringify({ file, error: error.message, code: error.code }));
  }
}
`;

type Loaded = { file: string; value?: Record<string, unknown>; same?: boolean; thrown?: string; error?: string; code?: string };

function load(dir: string, files: string[]): Record<string, Loaded> {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE, join(repoRoot, 'dist'), dir, ...files], { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`probe failed (${result.status}): ${result.stderr}`);
  const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Loaded);
  return Object.fromEntries(lines.map((line) => [line.file, line]));
}

/** An eval file importing TypeScript the ways users write it. */
const IMPORTS = {
  'a.eval.ts': `import { defineEval } from 'sandbox-eval';
import { helper } from './helper.js';
import { other } from './other';
import { fromIndex } from './lib';
import tasks from './data/tasks.json';
import { fromCts } from './legacy.cts';
import { fromMts } from './modern.mts';
enum Colour { Red = 'red' }
export default { values: [helper(), other, fromIndex, tasks.length, fromCts, fromMts, Colour.Red], defineEval, url: import.meta.url };
`,
  'helper.ts': `export const helper = (): string => 'helper.ts via ./helper.js';\n`,
  'other.ts': `export const other: string = 'other.ts via ./other';\n`,
  'lib/index.ts': `export const fromIndex: string = 'lib/index.ts via ./lib';\n`,
  'data/tasks.json': '[1, 2, 3]\n',
  'legacy.cts': `const value: string = 'legacy.cts'; module.exports = { fromCts: value };\n`,
  'modern.mts': `export const fromMts: string = 'modern.mts';\n`,
};
const EXPECTED_VALUES = ['helper.ts via ./helper.js', 'other.ts via ./other', 'lib/index.ts via ./lib', 3, 'legacy.cts', 'modern.mts', 'red'];

describe('TypeScript loader (built, in Node)', () => {
  it.each([
    ['no package.json', {}],
    ['"type": "module"', { 'package.json': '{ "type": "module" }\n' }],
    ['"type": "commonjs"', { 'package.json': '{ "type": "commonjs" }\n' }],
  ])('loads an eval file with the imports TypeScript allows (%s), with the runner\'s sandbox-eval', (_kind, extra) => {
    project = tempProject({ ...IMPORTS, ...extra });
    const loaded = load(project.dir, ['a.eval.ts'])['a.eval.ts']!;
    expect(loaded.error).toBeUndefined();
    expect(loaded.value?.values).toEqual(EXPECTED_VALUES);
    expect(loaded.same).toBe(true);
    // import.meta.url is the .ts file's own, so `new URL('./data.json', import.meta.url)` works
    expect(loaded.value?.url).toBe(`file://${project.dir}/a.eval.ts`);
  });

  it('loads CommonJS-syntax TypeScript, top-level await, and decorators as tsconfig.json asks', () => {
    project = tempProject({
      'cjs.ts': `const { helper } = require('./helper');\nmodule.exports = { fromRequire: helper() + '!' };\n`,
      'helper.ts': `export const helper = (): string => 'esm helper';\n`,
      'tla.ts': `const value = await Promise.resolve(42);\nexport default { value };\n`,
      'decorated.ts': `function mark(target: any, key: string) { target.marked = key; }\nclass A { @mark method() {} }\nexport default { marked: (A.prototype as any).marked };\n`,
      'tsconfig.json': '{\n  // esbuild reads JSON with comments\n  "compilerOptions": { "experimentalDecorators": true, },\n}\n',
    });
    const loaded = load(project.dir, ['cjs.ts', 'tla.ts', 'decorated.ts']);
    expect(loaded['cjs.ts']?.value).toEqual({ fromRequire: 'esm helper!' });
    expect(loaded['tla.ts']?.value).toEqual({ value: 42 });
    expect(loaded['decorated.ts']?.value).toEqual({ marked: 'method' });
  });

  it('points stack traces at the .ts source, and says where a file does not compile', () => {
    project = tempProject({
      'throws.ts': `type Reason = string;\n\nexport default {\n  run(): Reason {\n    throw new Error('thrown on line 5');\n  },\n};\n`,
      'broken.ts': `export const broken = (: string => 1;\n`,
      'missing.ts': `import { nothing } from './nowhere.js';\nexport default { nothing };\n`,
    });
    const loaded = load(project.dir, ['throws.ts', 'broken.ts', 'missing.ts']);
    expect(loaded['throws.ts']?.thrown).toMatch(new RegExp(`Error: thrown on line 5 \\| +at Object\\.run \\(${project.dir}/throws\\.ts:5:11\\)`));
    expect(loaded['broken.ts']?.error).toContain(`${project.dir}/broken.ts:1:24: Unexpected ":"`);
    expect(loaded['broken.ts']?.error).toContain('export const broken = (: string => 1;');
    // the error is about the specifier the user wrote, not about the .ts alternatives tried
    expect(loaded['missing.ts']?.code).toBe('ERR_MODULE_NOT_FOUND');
    expect(loaded['missing.ts']?.error).toContain('nowhere.js');
  });

  it('leaves JavaScript importers to Node\'s own rules', () => {
    project = tempProject({ 'plain.mjs': `import { other } from './other';\nexport default { other };\n`, 'other.ts': `export const other = 1;\n` });
    expect(load(project.dir, ['plain.mjs'])['plain.mjs']?.code).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('compiles a file once: an unchanged file comes from the cache, an edited one is compiled again', () => {
    const marker = `cache-${process.pid}-${Date.now()}`;
    project = tempProject({ 'cached.ts': `export default { marker: '${marker}', version: 1 as number };\n` });
    // this file's entries only: other test files compile into the same cache at the same time
    const entries = () =>
      new Map(
        readdirSync(TYPESCRIPT_CACHE_DIR)
          .filter((name) => readFileSync(join(TYPESCRIPT_CACHE_DIR, name), 'utf8').includes(marker))
          .map((name) => [name, statSync(join(TYPESCRIPT_CACHE_DIR, name)).mtimeMs]),
      );
    expect(load(project.dir, ['cached.ts'])['cached.ts']?.value).toEqual({ marker, version: 1 });
    const afterFirst = entries();
    expect(afterFirst.size).toBe(1);
    expect(load(project.dir, ['cached.ts'])['cached.ts']?.value).toEqual({ marker, version: 1 });
    expect(entries()).toEqual(afterFirst);
    project.write('cached.ts', `export default { marker: '${marker}', version: 2 as number };\n`);
    expect(load(project.dir, ['cached.ts'])['cached.ts']?.value).toEqual({ marker, version: 2 });
    expect(entries().size).toBe(2);
  });
});

describe('alternatives', () => {
  const parent = 'file:///project/a.eval.ts';
  it.each([
    ['./helper.js', ['./helper.ts', './helper.tsx']],
    ['../ui/view.jsx', ['../ui/view.tsx']],
    ['./esm.mjs', ['./esm.mts']],
    ['./common.cjs', ['./common.cts']],
    ['./agent', ['./agent.ts', './agent.tsx', './agent.js', './agent/index.ts', './agent/index.tsx', './agent/index.js']],
    ['./x.service', ['./x.service.ts', './x.service.tsx', './x.service.js', './x.service/index.ts', './x.service/index.tsx', './x.service/index.js']],
    ['./lib/', ['./lib/index.ts', './lib/index.tsx', './lib/index.js']],
    ['./helper.js?v=2', ['./helper.ts?v=2', './helper.tsx?v=2']],
    ['./data.json', []],
    ['./already.ts', []],
    ['zod', []],
    ['node:fs', []],
  ])('%s -> %j', (specifier, expected) => {
    expect(alternatives(specifier, parent)).toEqual(expected);
  });

  it('offers none to a JavaScript importer', () => {
    expect(alternatives('./helper.js', 'file:///project/a.mjs')).toEqual([]);
  });
});

describe('hasReliableInThreadHooks', () => {
  it.each([
    ['20.19.0', false],
    ['22.15.0', false],
    ['22.22.2', false],
    ['22.22.3', true],
    ['22.23.0', true],
    ['23.11.0', false],
    ['24.9.0', false],
    ['24.11.1', true],
    ['25.0.0', false],
    ['25.1.0', true],
    ['26.0.0', true],
  ])('%s -> %s', (version, expected) => {
    expect(hasReliableInThreadHooks(version)).toBe(expected);
  });
});
