import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResultSpool } from '../../src/reporters/spool.js';

/**
 * The spool behind the JSON, JUnit and HTML reporters: appends are batched and written behind the
 * caller, and read back per suite in task order through a read window. These pin what the batching
 * and the window must not change.
 */

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sandbox-eval-spool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readAll(spool: ResultSpool, suite: string): Promise<string[]> {
  const out: string[] = [];
  for await (const record of spool.read(suite)) out.push(record);
  return out;
}

describe('ResultSpool', () => {
  it('reads back every record exactly, per suite, in task order, whatever the append order and sizes', async () => {
    const spool = new ResultSpool({ dir });
    const expected = new Map<string, Array<{ taskId: string; trial: number; text: string }>>();
    const appends: Array<Promise<void>> = [];
    // interleaved suites, shuffled task order, records from a few bytes to past the 1 MiB read window
    const order = Array.from({ length: 600 }, (_, k) => (k * 337) % 600);
    for (const k of order) {
      const suite = `s${k % 3}`;
      const size = k % 97 === 0 ? 1_500_000 + k : 10 + ((k * 31) % 3000);
      const record = { taskId: `t${k}`, trial: k % 2, pad: 'é'.repeat(size / 2) };
      appends.push(spool.append(suite, record, record));
      const list = expected.get(suite) ?? [];
      list.push({ taskId: record.taskId, trial: record.trial, text: JSON.stringify(record) });
      expected.set(suite, list);
    }
    await Promise.all(appends);
    for (const [suite, records] of expected) {
      records.sort((a, b) => Number(a.taskId.slice(1)) - Number(b.taskId.slice(1)) || a.trial - b.trial);
      expect(await readAll(spool, suite)).toEqual(records.map((record) => record.text));
    }
    expect(await readAll(spool, 'none')).toEqual([]);
    await spool.remove();
  });

  it('a spool that cannot be written fails the first append, the later ones and the read', async () => {
    const blocker = join(dir, 'not-a-folder');
    await writeFile(blocker, 'x');
    const spool = new ResultSpool({ dir: join(blocker, 'sub') });
    await expect(spool.append('s', { taskId: 't0', trial: 0 }, { n: 0 })).rejects.toMatchObject({ code: expect.stringMatching(/ENOTDIR|EEXIST/) });
    await expect(spool.append('s', { taskId: 't1', trial: 0 }, { n: 1 })).rejects.toBeDefined();
    await expect(readAll(spool, 's')).rejects.toBeDefined();
  });
});
