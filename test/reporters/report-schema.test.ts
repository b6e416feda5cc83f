import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JsonReporter } from '../../src/reporters/json.js';
import { reportSchema } from '../../src/reporters/report-schema.js';
import { scenario, summarize } from './fixtures.js';

type Schema = Record<string, unknown>;

const published = JSON.parse(await readFile(new URL('../../schema/report.schema.json', import.meta.url), 'utf8')) as Schema;
const fromZod = z.toJSONSchema(reportSchema, { target: 'draft-2020-12' }) as Schema;

function deref(schema: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  let target: unknown = published;
  for (const key of ref.replace(/^#\//, '').split('/')) target = (target as Schema)[key];
  return { ...deref(target as Schema), ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$ref')) };
}

/** The parts of a schema both sides must agree on, at every depth. */
function shape(raw: Schema): unknown {
  const schema = deref(raw);
  const kind = schema.const !== undefined ? `const:${String(schema.const)}` : schema.enum ? `enum:${[...(schema.enum as string[])].sort().join('|')}` : schema.type;
  const properties = schema.properties as Record<string, Schema> | undefined;
  return {
    kind,
    ...(schema.required ? { required: [...(schema.required as string[])].sort() } : {}),
    ...(properties && Object.keys(properties).length > 0
      ? { properties: Object.fromEntries(Object.entries(properties).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, shape(v)])) }
      : {}),
    ...(schema.items ? { items: shape(schema.items as Schema) } : {}),
  };
}

/** A small validator for the keywords the published schema uses, enough to check a report with it. */
function errorsOf(value: unknown, raw: Schema, path = '$'): string[] {
  const schema = deref(raw);
  const errors: string[] = [];
  const type = schema.type;
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : Number.isInteger(value) ? 'integer' : typeof value;
  if (type && !(type === actual || (type === 'number' && actual === 'integer'))) return [`${path}: expected ${String(type)}, got ${actual}`];
  if ('const' in schema && value !== schema.const) errors.push(`${path}: expected ${String(schema.const)}`);
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) errors.push(`${path}: ${String(value)} not in enum`);
  if (typeof schema.minimum === 'number' && typeof value === 'number' && value < schema.minimum) errors.push(`${path}: below minimum`);
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in object)) errors.push(`${path}: missing ${key}`);
    for (const [key, sub] of Object.entries((schema.properties as Record<string, Schema> | undefined) ?? {})) {
      if (key in object) errors.push(...errorsOf(object[key], sub, `${path}.${key}`));
    }
  }
  if (actual === 'array' && schema.items) (value as unknown[]).forEach((item, i) => errors.push(...errorsOf(item, schema.items as Schema, `${path}[${i}]`)));
  if (schema.if) {
    const branch = errorsOf(value, schema.if as Schema, path).length === 0 ? schema.then : schema.else;
    if (branch) errors.push(...errorsOf(value, branch as Schema, path));
  }
  if (schema.not && errorsOf(value, schema.not as Schema, path).length === 0) errors.push(`${path}: matches a forbidden shape`);
  return errors;
}

let dir: string;
let sample: unknown;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'se-schema-'));
  const { plan, results } = scenario();
  const outputFile = join(dir, 'report.json');
  const reporter = new JsonReporter({ outputFile });
  await reporter.onRunStart(plan);
  for (const r of results) await reporter.onTaskEnd(r);
  await reporter.onRunEnd(summarize(plan, results), 'failed');
  sample = JSON.parse(await readFile(outputFile, 'utf8'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('report schema', () => {
  it('is draft 2020-12', () => {
    expect(published.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('the published JSON schema and the zod schema agree on keys, required keys and types at every depth', () => {
    expect(shape(published)).toEqual(shape(fromZod));
  });

  it('both accept a report the JSON reporter wrote', () => {
    expect(reportSchema.safeParse(sample).success).toBe(true);
    expect(errorsOf(sample, published)).toEqual([]);
  });

  it('both reject a report that breaks the contract', () => {
    const broken = (mutate: (report: any) => void) => {
      const copy = structuredClone(sample) as any;
      mutate(copy);
      return copy;
    };
    const cases = [
      broken((r) => delete r.summary.meanReward),
      broken((r) => (r.schemaVersion = 2)),
      broken((r) => delete r.suites[0].tasks[0].error), // an errored task without its error
      broken((r) => (r.suites[0].tasks[1].error = { kind: 'agent', message: 'x' })), // a failed task with one
      broken((r) => (r.suites[0].tasks[0].status = 'skipped')),
      broken((r) => (r.suites[0].tasks[0].error.kind = 'oops')),
      broken((r) => delete r.suites[1].tasks[0].trajectory),
      broken((r) => (r.suites[0].tasks[0].trial = -1)),
    ];
    for (const report of cases) {
      expect(reportSchema.safeParse(report).success).toBe(false);
      expect(errorsOf(report, published)).not.toEqual([]);
    }
  });

  it('accepts fields added later (version 1 may grow)', () => {
    const grown = structuredClone(sample) as any;
    grown.newTopLevel = { x: 1 };
    grown.suites[0].tasks[0].cost = 0.02;
    expect(reportSchema.safeParse(grown).success).toBe(true);
    expect(errorsOf(grown, published)).toEqual([]);
  });
});
