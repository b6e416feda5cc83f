import type { Pool } from 'undici';
import { undici } from '../../lazy-require.js';
import { EnvironmentError, SandboxUnavailableError, TimeoutError } from '../../errors.js';

/**
 * A client of AppWorld's own environment server (`appworld serve environment`, specs/appworld.md §2.1):
 * JSON POSTs whose answers are wrapped as `{"output": ...}`, errors as `{"detail": ...}`. The server
 * holds one task world at a time, so the environment gives each instance a server of its own.
 */

/** What /initialize answers about the task. */
export interface AppWorldTask {
  task_id: string;
  instruction: string;
  supervisor: { first_name: string; last_name: string; email: string; phone_number: string };
  datetime: string;
}

/** What /evaluate answers (AppWorld's TestTracker): each named requirement passed or failed. */
export interface AppWorldEvaluation {
  success: boolean;
  difficulty?: number;
  num_tests: number;
  passes: Array<{ requirement: string; label?: string | null }>;
  failures: Array<{ requirement: string; trace?: string; label?: string | null }>;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export class AppWorldServer {
  readonly url: string;
  readonly #pool: Pool;
  readonly #timeoutMs: number;

  /** `timeoutMs` bounds one call; AppWorld itself stops a code cell after 100 s. */
  constructor(options: { url: string; timeoutMs?: number }) {
    this.url = options.url.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 300_000;
    this.#pool = new (undici().Pool)(new URL(this.url).origin, { connections: 2, headersTimeout: this.#timeoutMs, bodyTimeout: this.#timeoutMs });
  }

  /** Loads the task's world (closing whatever world the server held). */
  initialize(options: { taskId: string; experimentName: string }): Promise<AppWorldTask> {
    return this.#post('/initialize', { task_id: options.taskId, experiment_name: options.experimentName }) as Promise<AppWorldTask>;
  }

  /** Runs a code cell in the task's Python session; answers its output text. */
  async execute(options: { taskId: string; code: string }): Promise<string> {
    const output = await this.#post('/execute', { task_id: options.taskId, code: options.code });
    return typeof output === 'string' ? output : JSON.stringify(output);
  }

  /** True once the agent called `apis.supervisor.complete_task(...)`. */
  async taskCompleted(options: { taskId: string }): Promise<boolean> {
    return (await this.#post('/task_completed', { task_id: options.taskId })) === true;
  }

  evaluate(options: { taskId: string }): Promise<AppWorldEvaluation> {
    return this.#post('/evaluate', { task_id: options.taskId, suppress_errors: true, report: false }) as Promise<AppWorldEvaluation>;
  }

  async close(options: { taskId: string }): Promise<void> {
    await this.#post('/close', { task_id: options.taskId });
  }

  /** Closes the connections. */
  dispose(): Promise<void> {
    return this.#pool.close();
  }

  async #post(path: string, body: Record<string, unknown>): Promise<unknown> {
    let status: number;
    let text: string;
    try {
      const response = await this.#pool.request({ path: new URL(this.url).pathname.replace(/\/+$/, '') + path, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
        throw new TimeoutError(`The AppWorld server at ${this.url} did not answer ${path} within ${this.#timeoutMs} ms.`, { cause: error });
      }
      throw new SandboxUnavailableError(
        `Cannot reach the AppWorld server at ${this.url} (${path}): ${(error as Error).message}. Start it with \`appworld serve environment --port <port>\` and check the URL.`,
        { cause: error },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: a proxy page or a crash; the text itself is the best detail
      json = undefined;
    }
    if (status !== 200) {
      const detail = (json as { detail?: unknown } | undefined)?.detail;
      throw new EnvironmentError(`The AppWorld server at ${this.url} answered HTTP ${status} on ${path}: ${typeof detail === 'string' ? detail : text.slice(0, 500)}`);
    }
    if (typeof json !== 'object' || json === null || !('output' in json)) {
      throw new SandboxUnavailableError(`The server at ${this.url} answered ${path} without an "output" field; is it \`appworld serve environment\`?`);
    }
    return (json as { output: unknown }).output;
  }
}
