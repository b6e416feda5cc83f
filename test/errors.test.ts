import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as errors from '../src/errors.js';
import { repoRoot } from './helpers/project.js';

const source = readFileSync(join(repoRoot, 'src/errors.ts'), 'utf8');
const docs = readFileSync(join(repoRoot, 'docs/errors.md'), 'utf8');
const codesInSource = [...source.matchAll(/code = '(SE_[A-Z_]+)'/g)].map((match) => match[1]!);
const rows = [...docs.matchAll(/^\| `(SE_[A-Z_]+)` \| (.+?) \| (.+?) \| ([23]) \|$/gm)];
const codesInDocs = rows.map((row) => row[1]!);

/** Class fields live on instances: build one with whichever harmless arguments its constructor takes. */
function construct(ErrorClass: new (...args: unknown[]) => errors.SandboxEvalError): errors.SandboxEvalError {
  for (const args of [['x'], ['x', ['y']], ['x', 'y', ['z']], ['x', 500]]) {
    try {
      return new ErrorClass(...args);
    } catch {
      // the constructor wanted other arguments: try the next shape
    }
  }
  throw new Error(`cannot construct ${ErrorClass.name}`);
}

describe('error codes', () => {
  it('every code in src/errors.ts has a row in docs/errors.md', () => {
    expect(codesInSource.filter((code) => !codesInDocs.includes(code))).toEqual([]);
  });

  it('every row of docs/errors.md names a code that exists', () => {
    expect(codesInDocs.filter((code) => !codesInSource.includes(code))).toEqual([]);
  });

  it('codes are unique', () => {
    expect(new Set(codesInSource).size).toBe(codesInSource.length);
  });

  it("the documented exit code matches the class's", () => {
    const classes = Object.values(errors).filter(
      (value) => typeof value === 'function' && value.prototype instanceof errors.SandboxEvalError,
    ) as unknown as Array<new (...args: unknown[]) => errors.SandboxEvalError>;
    for (const ErrorClass of classes) {
      const built = construct(ErrorClass);
      const row = rows.find((candidate) => candidate[1] === built.code);
      expect(row, `${ErrorClass.name} (${built.code}) has a docs row`).toBeDefined();
      expect(Number(row![4]), built.code).toBe(built.exitCode);
    }
  });

  it('isSandboxEvalError recognises errors from another copy of the package by their brand', () => {
    const foreign = Object.assign(Object.create(null) as object, { [Symbol.for('sandbox-eval.error')]: true });
    expect(errors.isSandboxEvalError(foreign)).toBe(true);
    expect(errors.isSandboxEvalError(new Error('plain'))).toBe(false);
    expect(errors.isSandboxEvalError(new errors.UsageError('bad'))).toBe(true);
  });

  it('messages say what was wrong and what to do', () => {
    expect(new errors.UnknownDatasetError('nope', ['bfcl', 'guess']).message).toBe(
      'Unknown dataset "nope". Known: bfcl, guess. See `sandbox-eval datasets`, or register your own with `environments` in eval.config.ts.',
    );
    expect(errors.describeValue(0)).toBe('`0` (number)');
    expect(errors.describeValue('x'.repeat(200))).toMatch(/\.\.\.` \(string\)$/);
  });
});
