import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinEnvironments } from '../../src/envs/builtins.js';
import { EnvironmentRegistry } from '../../src/envs/registry.js';
import { createSandboxServer, serve, type SandboxServer } from '../../src/sandbox/http-server.js';
import { InstanceManager } from '../../src/sandbox/instance-manager.js';
import { binPath, repoRoot, runCli, tempProject, type TempProject } from '../helpers/project.js';

/**
 * The bearer token: required off loopback, 401 for a wrong or missing one on every endpoint but
 * /healthz, compared in constant time, and never written anywhere: not in the server's or the
 * runner's output, errors, reports (JSON, JUnit, HTML), the journal, or help.
 */

const TOKEN = 'tok-7Qz9-sekrit-kv31';
const ENDPOINTS = ['/get_env_profile', '/create', '/step', '/evaluate', '/get_info', '/release', '/metrics'];
const registry = () => new EnvironmentRegistry(builtinEnvironments);

describe('off loopback a token is required', () => {
  it('refuses to build, listen or serve on a non-loopback host without one', async () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.10', 'example.internal']) {
      expect(() => createSandboxServer({ manager: new InstanceManager({ registry: registry(), idleTimeoutMs: 0 }), host }), host).toThrow(/without a token/);
      await expect(serve({ host, port: 0, registry: registry() }), host).rejects.toMatchObject({ code: 'SE_CONFIG_INVALID' });
    }
    const loopback = createSandboxServer({ manager: new InstanceManager({ registry: registry(), idleTimeoutMs: 0 }) });
    await expect(loopback.listen({ host: '0.0.0.0', port: 0 })).rejects.toMatchObject({ code: 'SE_CONFIG_INVALID' });
    expect(loopback.server.listening).toBe(false);
    await loopback.close();
  });

  it('with a token it listens on every interface', async () => {
    const handle = await serve({ host: '0.0.0.0', port: 0, token: TOKEN, registry: registry() });
    try {
      const base = `http://127.0.0.1:${handle.port}`;
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    } finally {
      await handle.close();
    }
  });
});

describe('401 for a wrong or missing token', () => {
  let app: SandboxServer;
  let base: string;
  beforeAll(async () => {
    app = createSandboxServer({ manager: new InstanceManager({ registry: registry(), idleTimeoutMs: 0 }), token: TOKEN });
    ({ url: base } = await app.listen({ port: 0 }));
  });
  afterAll(() => app.close());

  const wrongAuthorization = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 40 }).map((text) => `Bearer ${text}`),
    fc.constantFrom(
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.toUpperCase()}`,
      `Bearer ${TOKEN} ${TOKEN}`,
      `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`,
      TOKEN,
      `Token ${TOKEN}`,
      `Bearer ${'a'.repeat(10_000)}`,
      'Bearer \u00e9',
    ),
  );

  it('every endpoint but /healthz answers 401 JSON, whatever the wrong header (and never 500 for odd lengths)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ENDPOINTS), wrongAuthorization, async (path, authorization) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (authorization !== undefined) headers.authorization = authorization;
        const response = await fetch(base + path, { method: path === '/metrics' ? 'GET' : 'POST', headers, ...(path === '/metrics' ? {} : { body: '{}' }) });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer');
        const body = (await response.json()) as { code: string; detail: string };
        expect(body.code).toBe('SE_UNAUTHORIZED');
        expect(body.detail).not.toContain(TOKEN);
      }),
      { seed: 401, numRuns: 300 },
    );
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const right = await fetch(`${base}/get_env_profile`, { method: 'POST', headers: { authorization: `bearer ${TOKEN}` }, body: '{"env_type": "guess"}' });
    expect(right.status).toBe(200);
  });

  it('compares in constant time: SHA-256 digests of equal length through timingSafeEqual, never the raw strings', () => {
    // a statistical timing test would be flaky on a shared machine: the implementation is checked instead
    const source = readFileSync(join(repoRoot, 'src/sandbox/http-server.ts'), 'utf8');
    expect(source).toMatch(/import \{[^}]*\btimingSafeEqual\b[^}]*\} from 'node:crypto'/);
    expect(source).toMatch(/createHash\('sha256'\)\.update\(token\)\.digest\(\)/);
    expect(source).toMatch(/createHash\('sha256'\)\.update\(match\[1\]!?\)\.digest\(\)/);
    expect(source).toMatch(/timingSafeEqual\(digest, expectedDigest\)/);
    expect(source).not.toMatch(/(token|match\[1\]!?)\s*[!=]==|[!=]==\s*(token|match\[1\])/);
  });
});

describe('the token is never written anywhere', () => {
  let project: TempProject;
  let server: ChildProcess;
  let url: string;
  let serverOutput = '';

  beforeAll(async () => {
    project = tempProject({
      'crash.eval.ts': `import { defineEval } from 'sandbox-eval';
export default defineEval({ name: 'mixed', dataset: 'guess', split: 'val', tasks: { limit: 4 },
  agent: ({ task }) => { if (task.id === 'guess_61') throw new Error('agent failed on purpose'); return '50'; } });
`,
    });
    server = spawn(process.execPath, [binPath, 'serve', '--port', '0', '--token', TOKEN], { cwd: project.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stderr!.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
    url = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (chunk: Buffer) => {
        serverOutput += chunk.toString();
        const match = /on (http:\/\/\S+)/.exec(serverOutput);
        if (match) resolve(match[1]!);
      });
      server.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });
  });
  afterAll(async () => {
    const exited = new Promise((resolve) => server.on('exit', resolve));
    server.kill('SIGINT');
    await exited;
    project.remove();
  });

  /** Every file the runs wrote in the project (reports, journal), as text. */
  function writtenFiles(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        if (name === 'node_modules') continue;
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else out.push([path, readFileSync(path, 'utf8')]);
      }
    };
    walk(project.dir);
    return out;
  }

  it('is in no output, error, report, journal or help text, given by --token or SANDBOX_EVAL_TOKEN', async () => {
    const reports = ['--reporter', 'default', '--reporter', 'json', '--reporter', 'junit', '--reporter', 'html'];
    const files = (tag: string) => [`--output-file.json=out/${tag}.json`, `--output-file.junit=out/${tag}.xml`, `--output-file.html=out/${tag}.html`];
    const remote = ['--provider', 'remote', '--url', url];
    const runs = [
      // right token by flag and by environment: a run with passed, failed and errored tasks
      await runCli(['run', ...remote, '--token', TOKEN, ...reports, ...files('flag')], { cwd: project.dir }),
      await runCli(['run', ...remote, ...reports, ...files('env')], { cwd: project.dir, env: { SANDBOX_EVAL_TOKEN: TOKEN } }),
      // a wrong token: refused, and not echoed either
      await runCli(['run', ...remote, '--token', `${TOKEN}-wrong`, ...reports, ...files('wrong')], { cwd: project.dir }),
      // help, with the token on the command line and in the environment
      await runCli(['run', '--help', '--token', TOKEN], { cwd: project.dir, env: { SANDBOX_EVAL_TOKEN: TOKEN } }),
      await runCli(['serve', '--help', '--token', TOKEN], { cwd: project.dir, env: { SANDBOX_EVAL_TOKEN: TOKEN } }),
    ];
    expect(runs.map((run) => run.code)).toEqual([1, 1, 2, 0, 0]);
    expect(runs[2]!.stderr + runs[2]!.stdout).toContain('SE_UNAUTHORIZED');

    const written = writtenFiles();
    expect(written.map(([path]) => path.replace(project.dir, '')).sort()).toEqual(
      expect.arrayContaining(['/out/flag.json', '/out/flag.xml', '/out/flag.html', '/out/env.json', '/.sandbox-eval/journal.jsonl']),
    );
    const leaks = [
      ...runs.flatMap((run, k) => [[`run ${k} stdout`, run.stdout], [`run ${k} stderr`, run.stderr]] as Array<[string, string]>),
      ...written,
      ['server output', serverOutput] as [string, string],
    ].filter(([, text]) => text.includes(TOKEN));
    expect(leaks.map(([where]) => where)).toEqual([]);
  });
});
