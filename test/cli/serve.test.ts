import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reportSchema } from '../../src/reporters/report-schema.js';
import { binPath, runCli, tempProject, type TempProject } from '../helpers/project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

/** Starts `sandbox-eval serve` and resolves with its URL once it says it is serving. */
function startServer(args: string[], cwd: string) {
  const child = spawn(process.execPath, [binPath, 'serve', '--port', '0', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    void exited.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return { child, url, exited, output: () => ({ stdout, stderr }) };
}

describe('sandbox-eval serve', () => {
  it('serves the environments; run --provider remote drives it; SIGINT shuts it down cleanly', async () => {
    project = tempProject();
    const server = startServer(['--token', 'sesame'], project.dir);
    const url = await server.url;
    expect(server.output().stdout).toContain('(bearer token required)');

    const healthz = await fetch(`${url}/healthz`);
    expect(await healthz.text()).toBe('OK');

    const result = await runCli(['run', '--dataset', 'guess', '--split', 'test', '--agent', 'oracle', '--provider', 'remote', '--url', url, '--reporter', 'json', '--output-file', 'r.json'], {
      cwd: project.dir,
      env: { SANDBOX_EVAL_TOKEN: 'sesame' },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = reportSchema.parse(JSON.parse(readFileSync(join(project.dir, 'r.json'), 'utf8')));
    expect(report.summary).toMatchObject({ tasks: 20, passed: 20 });

    // every instance was released by the runner
    const metrics = (await (await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer sesame' } })).json()) as Record<string, number>;
    expect(metrics).toMatchObject({ live: 0, created: 20, released: 20 });

    const unauthorised = await runCli(['run', '--dataset', 'guess', '--split', 'test', '--agent', 'oracle', '--provider', 'remote', '--url', url], { cwd: project.dir });
    expect(unauthorised.code).toBe(2);
    expect(unauthorised.stderr).toContain('SE_UNAUTHORIZED');

    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
    expect(server.output().stderr).toContain('shutting down');
  });

  it('refuses to listen off loopback without a token (exit 3)', async () => {
    project = tempProject();
    const result = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], { cwd: project.dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/token/i);
  });

  it('fails fast with exit 2 when a remote URL is down', async () => {
    project = tempProject();
    const result = await runCli(['run', '--dataset', 'guess', '--split', 'val', '--agent', 'oracle', '--provider', 'remote', '--url', 'http://127.0.0.1:9'], { cwd: project.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('http://127.0.0.1:9');
  });
});
