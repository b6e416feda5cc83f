#!/usr/bin/env node
// Runs every bench/*.bench.mjs in its own process (so memory figures do not mix) and prints one JSON
// object: { machine, benchmarks: { <name>: <what the script printed> } }. `npm run bench -- bfcl` runs
// only the benchmarks whose name contains "bfcl".
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((file) => file.endsWith('.bench.mjs'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

const benchmarks = {};
for (const script of scripts) {
  const name = script.replace(/\.bench\.mjs$/, '');
  process.stderr.write(`bench: ${name}...\n`);
  try {
    const output = execFileSync(process.execPath, ['--expose-gc', join(here, script)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
    benchmarks[name] = JSON.parse(output.trim().split('\n').at(-1));
  } catch (error) {
    // one broken benchmark must not hide the others' figures
    benchmarks[name] = { error: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}
const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) };
process.stdout.write(`${JSON.stringify({ machine, benchmarks }, null, 2)}\n`);
