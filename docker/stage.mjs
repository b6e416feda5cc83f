#!/usr/bin/env node
// Stages the build context of docker/Dockerfile in <out>: the Dockerfile, and under app/ the built
// dist/, package.json, schema/, fixtures/ and the production dependencies copied from node_modules
// (as `npm ls --omit=dev` lists them), so `docker build <out>` needs no network.
// Usage: node docker/stage.mjs <out>   (after `npm run build`)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ? resolve(process.argv[2]) : undefined;
if (!out) {
  console.error('usage: node docker/stage.mjs <out-dir>');
  process.exit(3);
}
if (!existsSync(join(root, 'dist/cli/bin.js'))) {
  console.error(`stage: ${join(root, 'dist')} is missing; run \`npm run build\` first.`);
  process.exit(3);
}
if (out === root || root.startsWith(out + sep)) {
  console.error(`stage: refusing to stage into ${out}, which holds the project.`);
  process.exit(3);
}

rmSync(out, { recursive: true, force: true });
const app = join(out, 'app');
mkdirSync(app, { recursive: true });
cpSync(join(root, 'docker/Dockerfile'), join(out, 'Dockerfile'));
for (const entry of ['package.json', 'dist', 'schema', 'fixtures', 'LICENSE']) {
  if (existsSync(join(root, entry))) cpSync(join(root, entry), join(app, entry), { recursive: true });
}

// npm ls exits non-zero for mere warnings (an extraneous package); its list is still right
let listing;
try {
  listing = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
} catch (error) {
  listing = error.stdout ?? '';
}
const packages = listing.split('\n').map((line) => line.trim()).filter((path) => path && path !== root && path.startsWith(join(root, 'node_modules')));
if (packages.length === 0) {
  console.error('stage: `npm ls --omit=dev` listed no dependencies; run `npm ci` first.');
  process.exit(3);
}
for (const path of packages) {
  // nested node_modules are listed (and copied) on their own, so dev-only ones stay out
  cpSync(path, join(app, relative(root, path)), {
    recursive: true,
    filter: (source) => !relative(path, source).split(sep).includes('node_modules'),
  });
}
console.error(`stage: ${packages.length} production packages and dist/ staged in ${out}`);
