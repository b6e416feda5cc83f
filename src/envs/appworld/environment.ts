import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, UnknownSplitError, UnknownTaskError } from '../../errors.js';
import type { Message, StepResult, ToolSpec } from '../../protocol/messages.js';
import type { EnvInstance, Environment, EnvironmentDefinition } from '../types.js';
import { APPWORLD_TOOL, codeOf } from './actions.js';
import { AppWorldServer, type AppWorldEvaluation, type AppWorldTask } from './server.js';

/**
 * AppWorld through its own environment server(s): an Environment like any other, so it runs in the
 * embedded provider and behind our wire-protocol server alike. The agent acts with Python code (a
 * ```python block, or the `appworld` tool); each step executes it, the episode ends when the agent
 * calls `apis.supervisor.complete_task`, and the reward is the share of AppWorld's tests that pass.
 */

export interface AppWorldEnvironmentOptions {
  /**
   * Base URLs of running `appworld serve environment` servers. A server holds one task at a time, so
   * this many episodes run at once (`appworld serve environment --num-servers K` starts K).
   */
  urls: string[];
  /** Task ids per split, instead of reading AppWorld's data directory (`--data.appworld`). */
  splits?: Record<string, string[]>;
  /** The experiment AppWorld files outputs under (experiments/outputs/<name>). @default "sandbox-eval" */
  experimentName?: string;
}

const APPWORLD_TOOL_SPEC: ToolSpec = {
  type: 'function',
  function: {
    name: APPWORLD_TOOL,
    description: 'Run Python code in the task\'s persistent AppWorld session (call apps as apis.<app>.<api>(...)); answers what it printed.',
    parameters: { type: 'object', properties: { code: { type: 'string', description: 'Python code to run' } }, required: ['code'] },
  },
};

function systemPrompt(task: AppWorldTask): string {
  const { first_name, last_name, email, phone_number } = task.supervisor;
  return [
    `You act for ${first_name} ${last_name} (${email}, ${phone_number}) in AppWorld, a simulated world of everyday apps (amazon, spotify, venmo, gmail, splitwise, todoist, simple_note, phone, file_system).`,
    'Work step by step in Python: send code in a ```python block (or call the `appworld` tool with {"code": ...}). It runs in a persistent session, like a notebook, and you see what it prints.',
    'Call apps as apis.<app>.<api>(**kwargs). Find them with apis.api_docs.show_app_descriptions(), apis.api_docs.show_api_descriptions(app_name=...) and apis.api_docs.show_api_doc(app_name=..., api_name=...).',
    "Log in to an app with the supervisor's passwords from apis.supervisor.show_account_passwords().",
    'When the task is done, call apis.supervisor.complete_task(answer=...) (answer=None when the task asks for nothing back).',
  ].join('\n');
}

/** Task ids per split from AppWorld's data: `<root>/data/datasets/<split>.txt` (or `<root>/datasets/...`). */
function readSplits(dataDir: string): Record<string, string[]> {
  const dir = [join(dataDir, 'data', 'datasets'), join(dataDir, 'datasets')].find((candidate) => existsSync(candidate));
  if (!dir) {
    throw new ConfigError(`No AppWorld task lists in ${dataDir}: expected data/datasets/<split>.txt under it. Pass --data.appworld=<APPWORLD_ROOT> (where \`appworld download data\` put data/).`);
  }
  const splits: Record<string, string[]> = {};
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.txt')).sort()) {
    splits[file.slice(0, -4)] = readFileSync(join(dir, file), 'utf8').split('\n').map((line) => line.trim()).filter(Boolean);
  }
  return splits;
}

/** Hands each instance a server of its own, in the order instances asked. */
class ServerLeases {
  readonly #free: AppWorldServer[];
  readonly #waiting: Array<(server: AppWorldServer) => void> = [];

  constructor(servers: AppWorldServer[]) {
    this.#free = [...servers];
  }

  take(): Promise<AppWorldServer> {
    const server = this.#free.shift();
    return server ? Promise.resolve(server) : new Promise((resolve) => this.#waiting.push(resolve));
  }

  give(server: AppWorldServer): void {
    const next = this.#waiting.shift();
    if (next) next(server);
    else this.#free.push(server);
  }
}

/** The evaluation detail: `reward` is the share of tests passed (1 exactly when AppWorld counts the task a success). */
function detailOf(result: AppWorldEvaluation): Record<string, unknown> {
  const passed = result.passes.length;
  const total = result.num_tests || passed + result.failures.length;
  return {
    reward: total > 0 ? passed / total : result.success ? 1 : 0,
    success: result.success,
    num_tests: total,
    passed,
    failures: result.failures.map((failure) => failure.requirement),
  };
}

class AppWorldInstance implements EnvInstance {
  readonly initial;
  readonly #server: AppWorldServer;
  readonly #taskId: string;
  readonly #onClose: () => void;
  #completed = false;
  #closed = false;

  constructor(options: { server: AppWorldServer; task: AppWorldTask; instanceId: string; onClose: () => void }) {
    this.#server = options.server;
    this.#taskId = options.task.task_id;
    this.#onClose = options.onClose;
    this.initial = {
      state: [
        { role: 'system' as const, content: systemPrompt(options.task) },
        { role: 'user' as const, content: options.task.instruction },
      ],
      info: { instance_id: options.instanceId, task_id: this.#taskId, supervisor: options.task.supervisor, datetime: options.task.datetime },
      tools: [APPWORLD_TOOL_SPEC],
    };
  }

  async step(action: Message): Promise<StepResult> {
    if (this.#completed) return observe('The task is already completed.', 0, true);
    const { code, problem } = codeOf(action);
    if (problem) return observe(problem, 0, false);
    if (code === undefined) return observe(`No code to run: send Python in a \`\`\`python block, or call the \`${APPWORLD_TOOL}\` tool.`, 0, false);
    const output = await this.#server.execute({ taskId: this.#taskId, code });
    this.#completed = await this.#server.taskCompleted({ taskId: this.#taskId });
    const reward = this.#completed ? (detailOf(await this.#server.evaluate({ taskId: this.#taskId })).reward as number) : 0;
    return observe(`Output:\n\`\`\`\n${output}\n\`\`\``, reward, this.#completed);
  }

  async evaluate(_messages: Record<string, unknown>, params: Record<string, unknown>): Promise<number | Record<string, unknown>> {
    const detail = detailOf(await this.#server.evaluate({ taskId: this.#taskId }));
    return params.sparse === true ? (detail.success ? 1 : 0) : detail;
  }

  getInfo(): string {
    return `Tools: ${APPWORLD_TOOL}(code: string) runs Python in the task's session. Start with print(apis.api_docs.show_app_descriptions()).`;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#server.close({ taskId: this.#taskId });
    } finally {
      // the server is free again even when /close failed: the next /initialize replaces its world anyway
      this.#onClose();
    }
  }
}

function observe(content: string, reward: number, terminated: boolean): StepResult {
  return { state: [{ role: 'user', content }], reward, is_terminated: terminated, info: {} };
}

class AppWorldEnvironment implements Environment {
  readonly name = 'appworld';
  readonly #splits: Record<string, string[]>;
  readonly #leases: ServerLeases;
  readonly #experimentName: string;

  constructor(options: { splits: Record<string, string[]>; servers: AppWorldServer[]; experimentName: string }) {
    this.#splits = options.splits;
    this.#leases = new ServerLeases(options.servers);
    this.#experimentName = options.experimentName;
  }

  splits(): readonly string[] {
    return Object.keys(this.#splits);
  }

  taskIds(split: string): readonly string[] {
    const ids = this.#splits[split];
    if (!ids) throw new UnknownSplitError(this.name, split, this.splits());
    return ids;
  }

  async createInstance({ taskId, instanceId }: { taskId: string; instanceId: string }): Promise<EnvInstance> {
    if (!Object.values(this.#splits).some((ids) => ids.includes(taskId))) throw new UnknownTaskError(this.name, taskId);
    const server = await this.#leases.take();
    try {
      const task = await server.initialize({ taskId, experimentName: this.#experimentName });
      return new AppWorldInstance({ server, task, instanceId, onClose: () => this.#leases.give(server) });
    } catch (error) {
      this.#leases.give(server);
      throw error;
    }
  }
}

/** AppWorld through `appworld serve environment` servers you run; register it in eval.config.ts `environments`. */
export function appworldEnvironment(options: AppWorldEnvironmentOptions): EnvironmentDefinition {
  if (options.urls.length === 0) throw new ConfigError('appworldEnvironment needs at least one server URL (`appworld serve environment --port 8000` serves http://127.0.0.1:8000).');
  return {
    name: 'appworld',
    description: `AppWorld (apps driven by Python code) through ${options.urls.length} AppWorld server${options.urls.length === 1 ? '' : 's'}`,
    load: ({ dataDir }) => {
      const splits = options.splits ?? (dataDir ? readSplits(dataDir) : undefined);
      if (!splits) {
        throw new ConfigError("AppWorld's environment server cannot list a split's tasks: pass --data.appworld=<APPWORLD_ROOT> (holding data/datasets/<split>.txt), or `splits` to appworldEnvironment().");
      }
      const servers = options.urls.map((url) => new AppWorldServer({ url }));
      return new AppWorldEnvironment({ splits, servers, experimentName: options.experimentName ?? 'sandbox-eval' });
    },
  };
}
