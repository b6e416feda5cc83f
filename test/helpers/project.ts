import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = join(repoRoot, 'dist/cli/bin.js');

export interface TempProject {
  dir: string;
  write(path: string, content: string): void;
  remove(): void;
}

/**
 * A throwaway project folder with `node_modules/sandbox-eval` linked to this repo, so eval files can
 * `import { defineEval } from 'sandbox-eval'` as users do. Kept when SANDBOX_EVAL_KEEP_TEMP is set.
 */
export function tempProject(files: Record<string, string> = {}): TempProject {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-eval-test-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repoRoot, join(dir, 'node_modules/sandbox-eval'), 'dir');
  const project: TempProject = {
    dir,
    write(path, content) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    },
    remove() {
      if (!process.env.SANDBOX_EVAL_KEEP_TEMP) rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const [path, content] of Object.entries(files)) project.write(path, content);
  return project;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (dist/) in `cwd`, as a user would. */
export function runCli(args: readonly string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number; onSpawn?: (child: import('node:child_process').ChildProcess) => void }): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: options.cwd,
      env: { ...process.env, CI: 'true', NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    options.onSpawn?.(child);
  });
}

/** An eval-file snippet defining a tiny environment inline; `steps` decides each task's reward. */
export const inlineEnvSource = `import { defineEnvironment } from 'sandbox-eval';

/** tasks t0..t(n-1); reward = 1 when the agent says "ok" at the first step, 0 otherwise; 'crash' makes the env throw. */
export const tiny = (count: number) => defineEnvironment({
  name: 'tiny',
  description: 'a tiny env for tests',
  load: () => ({
    name: 'tiny',
    splits: () => ['all'],
    taskIds: (split: string) => { if (split !== 'all') throw Object.assign(new Error('no split ' + split)); return Array.from({ length: count }, (_, k) => 't' + k); },
    createInstance: ({ taskId, instanceId }: { taskId: string; instanceId: string }) => {
      let said = '';
      return {
        initial: { state: [{ role: 'user' as const, content: 'task ' + taskId }], info: { instance_id: instanceId, task_id: taskId } },
        step: (action: { content: string }) => {
          if (action.content === 'crash') throw new Error('env exploded on purpose');
          said = action.content;
          return { state: [{ role: 'user' as const, content: 'heard ' + said }], reward: said === 'ok' ? 1 : 0, is_terminated: true, info: {} };
        },
        evaluate: () => (said === 'ok' ? 1 : 0),
      };
    },
  }),
});
`;
