import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { binPath, inlineEnvSource, tempProject, type TempProject } from '../helpers/project.js';

/**
 * `sandbox-eval --watch` driven in a real terminal: tmux runs the built CLI in a detached session of
 * fixed size, keys go in with send-keys and the screen comes back with capture-pane.
 */
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux && process.env.CI !== 'true') console.warn('SKIPPED: test/cli/watch.test.ts needs tmux (apt-get install tmux) to drive watch mode in a terminal.');

// a server of our own, so the user's tmux sessions and config are left alone
const SOCKET = `sandbox-eval-watch-${process.pid}`;
let sessions = 0;
let session: string | undefined;
let project: TempProject | undefined;

afterEach(() => {
  if (session) tmux(['kill-session', '-t', session], { check: false });
  session = undefined;
  project?.remove();
  project = undefined;
});
afterAll(() => {
  if (hasTmux) tmux(['kill-server'], { check: false });
});

function tmux(args: readonly string[], options: { check?: boolean } = {}): string {
  const result = spawnSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  if (options.check !== false && result.status !== 0) throw new Error(`tmux ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/** Starts `sandbox-eval --watch` in a new session; when it ends, the shell prints its exit code and the terminal's modes. */
function startWatch(dir: string, args: readonly string[] = []): string {
  session = `watch-${process.pid}-${++sessions}`;
  const cli = ['env', '-u', 'FORCE_COLOR', 'NO_COLOR=1', process.execPath, binPath, '--watch', ...args].map(quote).join(' ');
  const script = `${cli}; echo "watch exited $?"; stty -a; exec sleep 600`;
  tmux(['new-session', '-d', '-s', session, '-x', '160', '-y', '50', '-c', dir, `sh -c ${quote(script)}`]);
  return session;
}

/** Everything the session has shown, scrollback included, wrapped lines joined. */
function screen(name: string): string {
  return tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', name]);
}

async function waitForScreen(name: string, done: (text: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = screen(name);
    if (done(text)) return text;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. The screen:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const STATUS = 'Waiting for file changes... press a, f, t, q, h';

/** The runs on screen: each from its `Run #n` header to the status line that closes it. */
function runs(text: string): Array<{ header: string; body: string; finished: boolean }> {
  return text
    .split(/^(?=Run #\d+ )/m)
    .slice(1)
    .map((chunk) => {
      const [header = '', ...rest] = chunk.split('\n');
      const body = rest.join('\n');
      return { header, body, finished: body.includes(STATUS) };
    });
}

async function waitForRun(name: string, count: number): Promise<{ header: string; body: string }> {
  const text = await waitForScreen(name, (screenText) => runs(screenText)[count - 1]?.finished === true, `run #${count} to finish`);
  return runs(text)[count - 1]!;
}

/** The suite table's row: tasks, passed, failed, errored, mean. */
function row(body: string, suite: string): string[] | undefined {
  const line = body.split('\n').find((candidate) => candidate.startsWith(`${suite}  `) && /\d\.\d{3}/.test(candidate));
  return line?.trim().split(/\s{2,}/).slice(2, 7);
}

function press(name: string, ...keys: string[]): void {
  tmux(['send-keys', '-t', name, ...keys]);
}

/** A project whose suite imports its agent from ./agent.ts; tasks t0..t3 pass when the agent says "ok". */
function watchedProject(agentBody: string, extra: Record<string, string> = {}): TempProject {
  return tempProject({
    'tiny.ts': inlineEnvSource,
    'agent.ts': `export const agent = ({ task }: { task: { id: string } }): string => ${agentBody};\n`,
    'a.eval.ts': `import { defineEval } from 'sandbox-eval';
import { tiny } from './tiny.ts';
import { agent } from './agent.ts';
export default defineEval({ name: 'tiny suite', dataset: tiny(4), split: 'all', agent });
`,
    'notes.ts': 'export const unrelated = 1;\n',
    ...extra,
  });
}

describe.runIf(hasTmux || process.env.CI === 'true')('sandbox-eval --watch in a terminal', () => {
  it('has tmux to drive the terminal (CI must not skip these)', () => {
    expect(hasTmux, 'tmux is missing: install it (apt-get install tmux)').toBe(true);
  });

  it('re-runs the suite when its imported agent changes, not on an unrelated file; f re-runs only failed tasks; q quits', async () => {
    project = watchedProject(`task.id === 't0' ? 'ok' : 'no'`);
    const name = startWatch(project.dir);

    const first = await waitForRun(name, 1);
    expect(first.header).toBe('Run #1 · all suites');
    expect(row(first.body, 'tiny suite')).toEqual(['4', '1', '3', '0', '0.250']);

    // a file no suite imports: no run (the next run is the agent's, numbered 2)
    project.write('notes.ts', 'export const unrelated = 2;\n');
    await new Promise((resolve) => setTimeout(resolve, 400));
    project.write('agent.ts', `export const agent = ({ task }: { task: { id: string } }): string => (task.id === 't3' ? 'no' : 'ok');\n`);
    const second = await waitForRun(name, 2);
    expect(second.header).toBe('Run #2 · agent.ts changed · running a.eval.ts');
    expect(row(second.body, 'tiny suite')).toEqual(['4', '3', '1', '0', '0.750']);

    press(name, 'f');
    const third = await waitForRun(name, 3);
    expect(third.header).toBe('Run #3 · 1 failed task (f)');
    expect(row(third.body, 'tiny suite')).toEqual(['1', '0', '1', '0', '0.000']);
    expect(third.body).toContain('FAIL  tiny suite › t3');
    expect(third.body).not.toMatch(/tiny suite › t[012]/);

    press(name, 'q');
    const end = await waitForScreen(name, (text) => text.includes('watch exited'), 'watch mode to exit');
    expect(end).toContain('watch exited 0');
    expect(runs(end)).toHaveLength(3);
    // raw mode was undone: the shell gets a line-editing, echoing terminal back
    const modes = end.slice(end.indexOf('watch exited'));
    expect(modes).toMatch(/(^|\s)icanon(\s|;|$)/m);
    expect(modes).toMatch(/(^|\s)echo(\s|;|$)/m);
  });

  it('t filters tasks by id until cleared, across file changes (ES module project); Ctrl-C quits with 0', async () => {
    project = watchedProject(`'ok'`, { 'package.json': '{ "type": "module" }\n' });
    const name = startWatch(project.dir);
    expect(row((await waitForRun(name, 1)).body, 'tiny suite')).toEqual(['4', '4', '0', '0', '1.000']);

    press(name, 't');
    await waitForScreen(name, (text) => text.includes('Task filter (a regular expression'), 'the filter prompt');
    press(name, '-l', 't[12]');
    press(name, 'Enter');
    const filtered = await waitForRun(name, 2);
    expect(filtered.header).toBe('Run #2 · new task filter (t) · task filter /t[12]/');
    expect(row(filtered.body, 'tiny suite')).toEqual(['2', '2', '0', '0', '1.000']);

    // the filter holds for runs a change starts; the agent's new answers show in the numbers
    project.write('agent.ts', `export const agent = ({ task }: { task: { id: string } }): string => (task.id === 't1' ? 'no' : 'ok');\n`);
    const changed = await waitForRun(name, 3);
    expect(changed.header).toBe('Run #3 · agent.ts changed · running a.eval.ts · task filter /t[12]/');
    expect(row(changed.body, 'tiny suite')).toEqual(['2', '1', '1', '0', '0.500']);

    press(name, 't');
    press(name, 'Enter');
    const cleared = await waitForRun(name, 4);
    expect(cleared.header).toBe('Run #4 · task filter cleared (t)');
    expect(row(cleared.body, 'tiny suite')).toEqual(['4', '3', '1', '0', '0.750']);

    press(name, 'C-c');
    const end = await waitForScreen(name, (text) => text.includes('watch exited'), 'watch mode to exit');
    expect(end).toContain('watch exited 0');
  });

  it('recovers from an agent that does not compile once it is fixed, and runs a new eval file alone', async () => {
    project = watchedProject(`'ok'`);
    const name = startWatch(project.dir);
    await waitForRun(name, 1);

    project.write('agent.ts', 'export const agent = ( => ;\n');
    const broken = await waitForRun(name, 2);
    expect(broken.body).toContain('[SE_EVAL_FILE]');
    expect(row(broken.body, 'tiny suite')).toBeUndefined();

    project.write('agent.ts', `export const agent = (): string => 'no';\n`);
    const fixed = await waitForRun(name, 3);
    expect(row(fixed.body, 'tiny suite')).toEqual(['4', '0', '4', '0', '0.000']);

    project.write('b.eval.ts', `import { defineEval } from 'sandbox-eval';
import { tiny } from './tiny.ts';
export default defineEval({ name: 'b suite', dataset: tiny(4), split: 'all', agent: () => 'ok' });
`);
    const added = await waitForRun(name, 4);
    expect(added.header).toBe('Run #4 · b.eval.ts changed · running b.eval.ts');
    expect(row(added.body, 'b suite')).toEqual(['4', '4', '0', '0', '1.000']);
    expect(row(added.body, 'tiny suite')).toBeUndefined();
    press(name, 'q');
    expect(await waitForScreen(name, (text) => text.includes('watch exited'), 'watch mode to exit')).toContain('watch exited 0');
  });
});
