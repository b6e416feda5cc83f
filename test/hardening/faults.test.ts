import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskResult } from '../../src/reporters/types.js';
import { binPath, runCli, tempProject, type TempProject } from '../helpers/project.js';

/**
 * A server killed mid-run: `sandbox-eval serve` in a child process gets SIGKILL from the agent itself,
 * in the middle of an episode (so the moment is the same every run). Without retries the episodes it
 * had are infrastructure errors and the run exits 2; with --retries they run again on a second server.
 * Either way the report and the journal hold every finished result. (A killed Docker container is
 * covered with the docker provider's tests.)
 */

let project: TempProject | undefined;
const servers: ChildProcess[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.kill('SIGKILL');
  project?.remove();
});

function startServer(cwd: string): Promise<{ url: string; pid: number; exited: Promise<NodeJS.Signals | null> }> {
  const child = spawn(process.execPath, [binPath, 'serve', '--port', '0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(child);
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve({ url: match[1]!, pid: child.pid!, exited });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
}

/** Binary search on the guess env's hints, one step every 5 ms; at step 2 of KILL_TASK it SIGKILLs the server. */
const AGENT = `
let killed = false;
export default async function agent({ messages, task, step }) {
  if (!killed && task.id === process.env.KILL_TASK && step === 2) {
    killed = true;
    process.kill(Number(process.env.KILL_PID), 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
  let lo = 1;
  let hi = Number(/from \\d+ to (\\d+)/.exec(messages.map((m) => m.content).join('\\n'))[1]);
  for (const { content } of messages) {
    const hint = /^(-?\\d+) is wrong; the number is (higher|lower)/.exec(content);
    if (hint) hint[2] === 'higher' ? (lo = Number(hint[1]) + 1) : (hi = Number(hint[1]) - 1);
  }
  return String(Math.floor((lo + hi) / 2));
}
`;

interface Outcome {
  code: number | null;
  stderr: string;
  reported: TaskResult[];
  journaled: TaskResult[];
}

async function runAgainst(urls: string[], kill: { pid: number; task: string }, extra: string[] = []): Promise<Outcome> {
  const args = ['run', '--dataset', 'guess', '--split', 'val', '--limit', '8', '--agent', './agent.mjs', '--provider', 'remote', '--concurrency', '1'];
  for (const url of urls) args.push('--url', url);
  const result = await runCli([...args, ...extra, '--reporter', 'json', '--output-file', 'report.json'], {
    cwd: project!.dir,
    env: { KILL_PID: String(kill.pid), KILL_TASK: kill.task },
  });
  const report = JSON.parse(readFileSync(join(project!.dir, 'report.json'), 'utf8')) as { suites: Array<{ tasks: TaskResult[] }> };
  const lines = readFileSync(join(project!.dir, '.sandbox-eval/journal.jsonl'), 'utf8').trim().split('\n');
  return { code: result.code, stderr: result.stderr, reported: report.suites.flatMap((suite) => suite.tasks), journaled: lines.slice(1).map((line) => JSON.parse(line) as TaskResult) };
}

const brief = (result: TaskResult) => ({ taskId: result.taskId, status: result.status, reward: result.reward, kind: result.error?.kind, attempts: result.attempts });

describe('a server killed mid-run', () => {
  it('without retries: its episodes are infrastructure errors (exit 2), and the journal has every finished result', async () => {
    project = tempProject({ 'agent.mjs': AGENT });
    const server = await startServer(project.dir);
    const outcome = await runAgainst([server.url], { pid: server.pid, task: 'guess_62' });

    expect(await server.exited).toBe('SIGKILL');
    expect(outcome.code).toBe(2);
    expect(outcome.reported).toHaveLength(8);
    const byTask = Object.fromEntries(outcome.reported.map((result) => [result.taskId, result]));
    for (const id of ['guess_60', 'guess_61']) expect(byTask[id]?.status).toBe('passed');
    // the episode that was running, and every one after it, failed on infrastructure, not on the agent
    for (const id of ['guess_62', 'guess_63', 'guess_64', 'guess_65', 'guess_66', 'guess_67']) {
      expect(byTask[id]).toMatchObject({ status: 'errored', error: { kind: 'infra', code: 'SE_SANDBOX_UNAVAILABLE' } });
    }
    expect(byTask.guess_62!.steps).toBeGreaterThanOrEqual(2);
    // only the running episode met the dead server; the provider then knew it was down and, once no
    // restart came within its wait, refused the rest at once, saying so
    for (const id of ['guess_63', 'guess_64', 'guess_65', 'guess_66', 'guess_67']) {
      expect(byTask[id]!.error!.message).toMatch(new RegExp(`^The only remote sandbox server is down, so this episode was not started: ${server.url.replace(/[.]/g, '\\.')} \\(down since `));
      expect(byTask[id]!.steps).toBe(0);
    }
    expect(outcome.journaled.map(brief).sort(byId)).toEqual(outcome.reported.map(brief).sort(byId));
  });

  it('with --retries 1 and a second server: every episode passes, the retried ones record 2 attempts', async () => {
    project = tempProject({ 'agent.mjs': AGENT });
    const [doomed, spare] = await Promise.all([startServer(project.dir), startServer(project.dir)]);
    const outcome = await runAgainst([doomed.url, spare.url], { pid: doomed.pid, task: 'guess_62' }, ['--retries', '1']);

    expect(await doomed.exited).toBe('SIGKILL');
    expect(outcome.stderr).not.toContain('SE_INTERNAL');
    expect(outcome.code).toBe(0);
    expect(outcome.reported).toHaveLength(8);
    expect(outcome.reported.every((result) => result.status === 'passed')).toBe(true);
    // one episode met the dead server (which one depends on the round-robin) and ran again on the spare;
    // the provider then sent every other episode to the spare (without failover, every other one met it)
    const retried = outcome.reported.filter((result) => result.attempts === 2);
    expect(retried).toHaveLength(1);
    expect(outcome.journaled.map(brief).sort(byId)).toEqual(outcome.reported.map(brief).sort(byId));
  });
});

function byId(a: { taskId: string }, b: { taskId: string }): number {
  return a.taskId.localeCompare(b.taskId);
}
