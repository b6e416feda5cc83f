import { existsSync, type FSWatcher, watch } from 'node:fs';
import { basename, relative, resolve, sep } from 'node:path';
import type { Writable } from 'node:stream';
import { builtinEnvironments } from '../envs/builtins.js';
import { EnvironmentRegistry } from '../envs/registry.js';
import { UsageError, describeValue, isSandboxEvalError } from '../errors.js';
import type { Reporter } from '../reporters/types.js';
import { findEvalFiles } from '../runner/discovery.js';
import { resolveConfig, type ResolvedConfig, type RunOptions } from '../runner/resolve-config.js';
import { runEvals, type RunEvalsOptions } from '../runner/run.js';
import { FreshModules } from './fresh-modules.js';
import { ImportGraph } from './import-graph.js';
import { KeyInput, type KeyCommand, type KeyStream } from './keys.js';
import { WarmProvider } from './warm-provider.js';

export interface WatchEvalsOptions extends RunOptions {
  /** Aborting ends watch mode as `q` does (the CLI aborts on SIGINT and SIGTERM). */
  signal?: AbortSignal;
  /** Where keys are read, in raw mode when it is a TTY. @default process.stdin */
  stdin?: KeyStream;
  /** Where the runs' terminal reporter and watch mode's own lines go. @default process.stdout */
  stdout?: RunEvalsOptions['stdout'];
  /** @default process.stderr */
  stderr?: Writable;
}

export interface WatchOutcome {
  /** How many runs watch mode started. */
  runs: number;
}

/** Quiet time after a file change before a run starts, so one save (often several events) is one run. */
const DEBOUNCE_MS = 100;
/** Never watched: dependencies, git's store, the journal. */
const IGNORED_DIRS = new Set(['node_modules', '.git', '.sandbox-eval']);
const CONFIG_FILE = /^eval\.config\.(ts|mts|js|mjs|json)$/;
/** After a run failed to load, a change to any of these may be the fix. */
const SOURCE_FILE = /\.(c|m)?(j|t)sx?$|\.json$/;
const STATUS = 'Waiting for file changes... press a, f, t, q, h';
const HELP = 'Keys: a re-run all · f re-run failed tasks · t filter tasks by id (regex) · q quit · h help';

type RunRequest = { kind: 'all'; why: string } | { kind: 'files'; files: ReadonlySet<string>; why: string } | { kind: 'failed'; why: string };

interface FailedTask {
  suite: string;
  file?: string;
  taskId: string;
}

/**
 * Watch mode: runs the suites, then re-runs those whose eval file, or a module it imports (agent
 * code included), changes; keys re-run all (`a`), only failed tasks (`f`), filter by task id (`t`)
 * and quit (`q`, Ctrl-C). Each run is a normal run with its reporters; the provider, its sandboxes
 * and loaded environments stay warm between runs and are closed on quit. Settles when watch mode ends.
 * Throws a SandboxEvalError before watching when the options or the config are wrong.
 */
export async function watchEvals(options: WatchEvalsOptions = {}): Promise<WatchOutcome> {
  if (options.resume) throw new UsageError('`--resume` does not apply to `--watch`: every watch run is a fresh run. Drop one of the two.');
  const root = resolve(options.root ?? process.cwd());
  const modules = await FreshModules.start({ root });
  modules.next();
  const { watch: _watch, signal: _signal, stdin: _stdin, stdout: _stdout, stderr: _stderr, ...run } = options;
  const config = await resolveConfig({ ...run, root });
  const session = new WatchSession({
    run: { ...run, root },
    config,
    modules,
    stdin: options.stdin ?? process.stdin,
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
  });
  return session.watch(options.signal);
}

class WatchSession {
  readonly #run: RunOptions & { root: string };
  readonly #modules: FreshModules;
  readonly #stdout: NonNullable<RunEvalsOptions['stdout']>;
  readonly #stderr: Writable;
  readonly #keys: KeyInput;
  readonly #graph = new ImportGraph();
  readonly #provider = new WarmProvider();
  readonly #registry = new EnvironmentRegistry(builtinEnvironments);
  /** Latest result per task that failed (suite and task id), across runs. */
  readonly #failures = new Map<string, FailedTask>();
  #config: ResolvedConfig;
  #filter: string | undefined;
  #runs = 0;
  #pending: RunRequest | undefined;
  #running: Promise<void> | undefined;
  #current: AbortController | undefined;
  #lastErrored = false;
  #quitting = false;
  #watcher: FSWatcher | undefined;
  #changed = new Set<string>();
  #debounce: NodeJS.Timeout | undefined;
  #ended: (() => void) | undefined;

  constructor(options: {
    run: RunOptions & { root: string };
    config: ResolvedConfig;
    modules: FreshModules;
    stdin: KeyStream;
    stdout: NonNullable<RunEvalsOptions['stdout']>;
    stderr: Writable;
  }) {
    this.#run = options.run;
    this.#config = options.config;
    this.#modules = options.modules;
    this.#stdout = options.stdout;
    this.#stderr = options.stderr;
    this.#filter = options.run.task;
    this.#keys = new KeyInput({ stdin: options.stdin, stdout: options.stdout, onCommand: (command) => this.#onCommand(command) });
  }

  async watch(signal: AbortSignal | undefined): Promise<WatchOutcome> {
    const ended = new Promise<void>((resolvePromise) => (this.#ended = resolvePromise));
    this.#watcher = watch(this.#run.root, { recursive: true }, (_event, name) => this.#onFileEvent(name));
    this.#watcher.on('error', (error) => this.#stderr.write(`sandbox-eval: watching files failed (${error.message}); the keys still work.\n`));
    this.#keys.start();
    if (signal?.aborted) void this.#quit();
    signal?.addEventListener('abort', () => void this.#quit(), { once: true });
    this.#request({ kind: 'all', why: 'all suites' });
    await ended;
    return { runs: this.#runs };
  }

  #onCommand(command: KeyCommand): void {
    switch (command.type) {
      case 'quit':
        void this.#quit();
        return;
      case 'help':
        this.#stdout.write(`${HELP}\n`);
        return;
      case 'all':
        this.#request({ kind: 'all', why: 'all suites (a)' });
        return;
      case 'failed':
        if (this.#failures.size === 0) {
          this.#stdout.write(`No failed tasks to re-run.\n${this.#status()}\n`);
          return;
        }
        this.#request({ kind: 'failed', why: `${this.#failures.size} failed task${this.#failures.size === 1 ? '' : 's'} (f)` });
        return;
      case 'filter':
        this.#setFilter(command.pattern);
    }
  }

  #setFilter(pattern: string): void {
    if (pattern === '') {
      this.#filter = undefined;
      this.#request({ kind: 'all', why: 'task filter cleared (t)' });
      return;
    }
    try {
      new RegExp(pattern);
    } catch (error) {
      this.#stderr.write(`sandbox-eval: Expected a regular expression on task ids, got ${describeValue(pattern)}: ${(error as Error).message}. The filter is unchanged.\n`);
      this.#stdout.write(`${this.#status()}\n`);
      return;
    }
    this.#filter = pattern;
    this.#request({ kind: 'all', why: 'new task filter (t)' });
  }

  #request(request: RunRequest): void {
    this.#pending = merge(this.#pending, request);
    this.#next();
  }

  /** Starts the pending run unless one is in progress; keys wait while it runs. */
  #next(): void {
    if (this.#running || !this.#pending || this.#quitting) return;
    const request = this.#pending;
    this.#pending = undefined;
    this.#keys.hold(true);
    this.#running = this.#iterate(request).finally(() => {
      this.#running = undefined;
      if (this.#quitting) return;
      if (this.#pending) return this.#next();
      this.#stdout.write(`\n${this.#status()}\n`);
      this.#keys.hold(false);
    });
  }

  async #iterate(request: RunRequest): Promise<void> {
    this.#runs += 1;
    this.#modules.next();
    const scope = request.kind === 'files' ? ` · running ${list([...request.files])}` : '';
    this.#stdout.write(`\nRun #${this.#runs} · ${request.why}${scope}${this.#filter ? ` · task filter /${this.#filter}/` : ''}\n`);
    const controller = new AbortController();
    this.#current = controller;
    const options: RunOptions = { ...this.#run, ...(this.#filter ? { task: this.#filter } : {}) };
    if (!this.#filter) delete options.task;
    try {
      // resolved here too, to follow the config's include globs and report outputs as they change
      this.#config = await resolveConfig(options);
      await runEvals({
        ...options,
        ...this.#scope(request),
        signal: controller.signal,
        stdout: this.#stdout,
        stderr: this.#stderr,
        sharedProvider: this.#provider.source,
        registry: this.#registry,
        extraReporters: [this.#tracker()],
      });
      this.#lastErrored = false;
    } catch (error) {
      this.#lastErrored = true;
      this.#printError(error);
    } finally {
      this.#current = undefined;
    }
    this.#graph.record(await this.#modules.imports());
  }

  /** Which eval files and tasks a request runs. */
  #scope(request: RunRequest): Pick<RunEvalsOptions, 'filters' | 'select'> {
    // an ad hoc run has no eval files to filter
    const adhoc = this.#config.adhoc !== undefined;
    if (request.kind === 'all' || (request.kind === 'files' && adhoc)) return {};
    if (request.kind === 'files') {
      const files = request.files;
      // filters match by substring, so `select` keeps exactly the files asked for
      return { filters: [...files], select: (task) => task.file !== undefined && files.has(task.file) };
    }
    const failed = new Map(this.#failures);
    const select: RunEvalsOptions['select'] = (task) => failed.has(taskKey(task));
    if (adhoc) return { select };
    return { filters: [...new Set([...failed.values()].flatMap((task) => (task.file ? [task.file] : [])))], select };
  }

  /** A reporter that keeps the latest verdict of every task that failed. */
  #tracker(): Reporter {
    const files = new Map<string, string | undefined>();
    // with trials, a task that failed any trial of this run stays failed
    const failedNow = new Set<string>();
    return {
      onRunStart: (plan) => {
        for (const suite of plan.suites) files.set(suite.name, suite.file);
      },
      onTaskEnd: (result) => {
        const key = taskKey(result);
        if (result.status === 'passed') {
          if (!failedNow.has(key)) this.#failures.delete(key);
          return;
        }
        failedNow.add(key);
        const file = files.get(result.suite);
        this.#failures.set(key, { suite: result.suite, taskId: result.taskId, ...(file ? { file } : {}) });
      },
    };
  }

  #onFileEvent(name: string | Buffer | null): void {
    if (name === null || this.#quitting) return;
    const path = resolve(this.#run.root, String(name));
    if (this.#ignored(path)) return;
    this.#changed.add(path);
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => {
      const paths = [...this.#changed];
      this.#changed.clear();
      void this.#requestFor(paths).then((request) => request && this.#request(request));
    }, DEBOUNCE_MS);
  }

  #ignored(path: string): boolean {
    const parts = relative(this.#run.root, path).split(sep);
    if (parts[0] === '..' || parts.some((part) => IGNORED_DIRS.has(part))) return true;
    // a report written by the run itself is no reason to run again
    return this.#config.reporters.some((spec) => spec.outputFile === path);
  }

  /** What the changed files call for: nothing, the suites they reach, or all (the config, or a non-eval root). */
  async #requestFor(paths: readonly string[]): Promise<RunRequest | undefined> {
    const root = this.#run.root;
    const names = paths.map((path) => relative(root, path).split(sep).join('/'));
    const why = `${list(names)} changed`;
    if (paths.some((path) => this.#isConfigFile(path))) return { kind: 'all', why };
    let evalFiles: string[];
    try {
      evalFiles = this.#config.adhoc ? [] : await findEvalFiles(this.#config);
    } catch (error) {
      this.#printError(error);
      return undefined;
    }
    const evalPaths = new Map(evalFiles.map((file) => [resolve(root, file), file]));
    // a root that is gone (a deleted eval file) has nothing left to run
    const roots = [...this.#graph.rootsAffectedBy(paths)].filter((path) => evalPaths.has(path) || existsSync(path));
    // the config's imports, an ad hoc run's agent, a reporter module: anything may depend on them
    if (roots.some((path) => !evalPaths.has(path))) return { kind: 'all', why };
    const files = new Set([...roots, ...paths].flatMap((path) => evalPaths.get(path) ?? []));
    if (files.size > 0) return { kind: 'files', files, why };
    // a run that failed to load may not know its imports: any source change may be the fix
    if (this.#lastErrored && paths.some((path) => SOURCE_FILE.test(path))) return { kind: 'all', why };
    return undefined;
  }

  #isConfigFile(path: string): boolean {
    if (path === this.#config.configFile) return true;
    const name = basename(path);
    return resolve(this.#run.root, name) === path && (CONFIG_FILE.test(name) || name === 'package.json');
  }

  #status(): string {
    return `${STATUS}${this.#filter ? ` · task filter /${this.#filter}/` : ''}`;
  }

  #printError(error: unknown): void {
    if (isSandboxEvalError(error)) this.#stderr.write(`sandbox-eval: ${error.message} [${error.code}]\n`);
    else this.#stderr.write(`sandbox-eval: unhandled error. This is a bug in sandbox-eval; please report it with the text below.\n${(error as Error)?.stack ?? String(error)}\n`);
  }

  /** Stops watching, interrupts a run in progress, closes the provider and gives the terminal back. */
  async #quit(): Promise<void> {
    if (this.#quitting) return;
    this.#quitting = true;
    this.#current?.abort();
    clearTimeout(this.#debounce);
    this.#watcher?.close();
    this.#keys.stop();
    await this.#running;
    try {
      await this.#provider.close({ keep: this.#config.keepSandboxes });
    } catch (error) {
      // cleanup failures are reported; quitting still ends watch mode
      this.#printError(error);
    }
    this.#ended?.();
  }
}

/** Two requests made before a run could start, as one: all wins, files add up, anything else mixed runs all. */
function merge(pending: RunRequest | undefined, next: RunRequest): RunRequest {
  if (!pending) return next;
  if (pending.kind === 'files' && next.kind === 'files') return { kind: 'files', files: new Set([...pending.files, ...next.files]), why: `${pending.why}; ${next.why}` };
  if (pending.kind === next.kind) return next;
  return { kind: 'all', why: `${pending.why}; ${next.why}` };
}

function taskKey(task: { suite: string; taskId: string }): string {
  return `${task.suite}\0${task.taskId}`;
}

function list(items: readonly string[]): string {
  return items.length <= 3 ? items.join(', ') : `${items.slice(0, 3).join(', ')} and ${items.length - 3} more`;
}
