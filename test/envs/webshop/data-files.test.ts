import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureDir, GOAL_FILE, loadWebshopData, packageRoot } from '../../../src/envs/webshop/data-files.js';
import { readJsonArray } from '../../../src/envs/webshop/json-stream.js';
import { RECORDS } from './helpers.js';

const folders: string[] = [];
async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webshop-data-'));
  folders.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function collect(path: string): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const item of readJsonArray(path)) items.push(item);
  return items;
}

describe('readJsonArray', () => {
  it('yields each object of a large array across read chunks, strings with brackets and escapes intact', async () => {
    const dir = await folder();
    const items = Array.from({ length: 3000 }, (_, i) => ({
      asin: `A${i}`,
      text: `braces { [ ] } "quoted" \\ back\\slash ${'x'.repeat(i % 700)} ünï ${i}`,
      nested: { list: [1, { deep: [i] }], empty: {} },
    }));
    await writeFile(join(dir, 'big.json'), `\ufeff[\n${items.map((item) => JSON.stringify(item, null, 2)).join(',\n')}\n]\n`);
    expect(await collect(join(dir, 'big.json'))).toEqual(items);
  });

  it('rejects what is not an array of objects, or is cut short', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'object.json'), '{"a": 1}');
    await writeFile(join(dir, 'numbers.json'), '[1, 2]');
    await writeFile(join(dir, 'cut.json'), '[{"a": 1}, {"b"');
    await writeFile(join(dir, 'empty.json'), ' [ ] ');
    await expect(collect(join(dir, 'object.json'))).rejects.toThrow(/expected a JSON array/);
    await expect(collect(join(dir, 'numbers.json'))).rejects.toThrow(/array of objects/);
    await expect(collect(join(dir, 'cut.json'))).rejects.toThrow(/incomplete/);
    expect(await collect(join(dir, 'empty.json'))).toEqual([]);
  });
});

describe('loadWebshopData', () => {
  it('finds the package root and the built-in fixtures', async () => {
    expect(JSON.parse(await readFile(join(packageRoot(), 'package.json'), 'utf8')).name).toBe('sandbox-eval');
    const { catalogue, goals, kind } = await loadWebshopData(fixtureDir());
    expect(kind).toBe('human');
    expect(catalogue.size).toBe(300);
    expect(goals.length).toBeGreaterThan(200);
    expect(goals.every((goal) => goal.attributes.length > 0 && catalogue.indexOf(goal.asin) !== undefined)).toBe(true);
  });

  it('small layout: synthetic goals, frozen on first load and read back identically', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'items_shuffle_1000.json'), JSON.stringify(RECORDS));
    await writeFile(
      join(dir, 'items_ins_v2_1000.json'),
      JSON.stringify({
        B0SHIRT001: { attributes: ['slim fit'], instruction: 'Find me a slim fit shirt', instruction_attributes: ['slim fit'] },
        B0SHIRT002: { attributes: [], instruction: 'Find me an oxford shirt', instruction_attributes: ['button down'] },
      }),
    );
    const first = await loadWebshopData(dir);
    expect(first.kind).toBe('synthetic');
    // shirt 1: 3 colours x 2 sizes; shirt 2: 2 sizes
    expect(first.goals).toHaveLength(8);
    const frozen = JSON.parse(await readFile(join(dir, GOAL_FILE), 'utf8'));
    expect(frozen).toMatchObject({ kind: 'synthetic', products: 'items_shuffle_1000.json' });
    expect(Object.keys(frozen.prices)).toEqual(['B0SHIRT002']);

    // the frozen file wins over fresh draws: change a frozen price and a ceiling, and load again
    frozen.prices.B0SHIRT002 = 31.5;
    frozen.goals[0].price_upper = 12345;
    await writeFile(join(dir, GOAL_FILE), JSON.stringify(frozen));
    const second = await loadWebshopData(dir);
    expect(second.goals.map((goal) => goal.instruction)).toEqual(first.goals.map((goal) => goal.instruction));
    expect(second.goals[0]!.priceUpper).toBe(12345);
    expect(second.catalogue.price(second.catalogue.indexOf('B0SHIRT002')!)).toBe(31.5);
  });

  it('full layout: human goals from items_human_ins.json', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'items_shuffle.json'), JSON.stringify(RECORDS));
    await writeFile(join(dir, 'items_ins_v2.json'), '{}');
    await writeFile(
      join(dir, 'items_human_ins.json'),
      JSON.stringify({ B0OIL00003: [{ asin: 'B0OIL00003', instruction: 'tea tree oil.', instruction_attributes: ['tea tree'], instruction_options: [] }] }),
    );
    const { goals, kind } = await loadWebshopData(dir);
    expect(kind).toBe('human');
    expect(goals).toHaveLength(1);
    expect(goals[0]!.instruction).toMatch(/^tea tree oil, and price lower than/);
  });

  it('says which files are missing, and refuses a goal file that no longer fits the data', async () => {
    const dir = await folder();
    await expect(loadWebshopData(dir)).rejects.toMatchObject({ code: 'SE_ENV_DATA', message: expect.stringMatching(/items_shuffle_1000\.json/) });

    await writeFile(join(dir, 'items_shuffle_1000.json'), JSON.stringify(RECORDS));
    await writeFile(join(dir, 'items_ins_v2_1000.json'), '{not json');
    await expect(loadWebshopData(dir)).rejects.toMatchObject({ code: 'SE_ENV_DATA', message: expect.stringMatching(/Cannot read/) });

    await writeFile(join(dir, 'items_ins_v2_1000.json'), JSON.stringify({ B0SHIRT002: { attributes: [], instruction: 'x', instruction_attributes: [] } }));
    await loadWebshopData(dir);
    await writeFile(join(dir, 'items_shuffle_1000.json'), JSON.stringify(RECORDS.slice(0, 1)));
    await expect(loadWebshopData(dir)).rejects.toMatchObject({ code: 'SE_ENV_DATA', message: expect.stringMatching(/Delete .*webshop-goals\.frozen\.json/) });

    await writeFile(join(dir, GOAL_FILE), JSON.stringify({ format: 'something else' }));
    await expect(loadWebshopData(dir)).rejects.toMatchObject({ code: 'SE_ENV_DATA', message: expect.stringMatching(/not a goal file/) });
  });

  it('says so when no product has an instruction', async () => {
    const dir = await folder();
    await writeFile(join(dir, 'items_shuffle_1000.json'), JSON.stringify(RECORDS));
    await writeFile(join(dir, 'items_ins_v2_1000.json'), '{}');
    await expect(loadWebshopData(dir)).rejects.toMatchObject({ code: 'SE_ENV_DATA', message: expect.stringMatching(/no goals/) });
  });
});
