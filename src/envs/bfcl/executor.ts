import { bindArguments, type BackendClass } from './classes/base.js';
import { BACKEND_CLASSES } from './classes/index.js';
import type { LongContextFiller } from './long-context.js';
import { pyJsonDumps } from './python/json.js';
import type { ParsedCall } from './python/literal.js';
import { pyRepr, pyStr } from './python/repr.js';
import { deepCopy, isDict, PyException, type PyDict, type PyValue } from './python/values.js';

/**
 * Executes calls against the backend instances of one entry, as BFCL's
 * `execute_multi_turn_func_call` does: one result string per call, every exception shown as
 * `Error during execution: <str(e)>`, execution continuing after errors. Dispatch goes through a
 * name table, never `eval`.
 */

// BFCL refuses these names before anything runs
const BLOCKED = new Set(['kill', 'exit', 'quit', 'remove', 'unlink', 'popen', 'Popen', 'run']);

interface LiveClass {
  backend: BackendClass<unknown>;
  instance: unknown;
}

/** BFCL's result-to-string rule: str as is, dict as json.dumps (repr when that fails), else str(). */
export function resultText(value: PyValue): string {
  if (typeof value === 'string') return value;
  if (isDict(value)) {
    try {
      return pyJsonDumps(value);
    } catch (error) {
      if (error instanceof PyException) return pyRepr(value);
      throw error;
    }
  }
  return pyStr(value);
}

/** `name(k1=repr(v1), k2=repr(v2))`: how BFCL writes a decoded call back out. */
export function callText(call: ParsedCall): string {
  const args = [...call.args.map(pyRepr), ...call.kwargs.map(([name, value]) => `${name}=${pyRepr(value)}`)];
  return `${call.name}(${args.join(', ')})`;
}

/** The backend instances of one rollout (model side or ground-truth side). */
export class BackendSet {
  readonly #classes = new Map<string, LiveClass>();
  readonly #byMethod = new Map<string, LiveClass>();

  constructor(options: { involvedClasses: readonly string[]; initialConfig: PyDict; longContext: LongContextFiller | undefined }) {
    for (const name of options.involvedClasses) {
      const backend = BACKEND_CLASSES.get(name);
      if (!backend) throw new Error(`Unknown BFCL class ${name}`);
      const scenario = options.initialConfig.get(name);
      // shared by every instance of the entry: backends copy what they keep
      const config: PyDict = isDict(scenario) ? scenario : new Map();
      const live = { backend, instance: backend.create(config, { longContext: options.longContext }) };
      this.#classes.set(name, live);
      for (const method of Object.keys(backend.methods)) this.#byMethod.set(method, live);
    }
  }

  /** The class that would run `method`, if any. */
  classOf(method: string): BackendClass<unknown> | undefined {
    return this.#byMethod.get(method)?.backend;
  }

  /** Runs one call; never throws for a bad call, the result string says what went wrong. */
  execute(call: ParsedCall): string {
    if (BLOCKED.has(call.name)) return `Error during execution: Function call ${call.name} is not allowed.`;
    const live = this.#byMethod.get(call.name);
    if (!live) return `Error during execution: name '${call.name.split('.')[0]}' is not defined`;
    const method = live.backend.methods[call.name]!;
    try {
      // arguments are copied so a parsed call (ground truth is parsed once) is never mutated by state
      const args = bindArguments(
        `${live.backend.name}.${call.name}`,
        method.params,
        call.args.map((value) => deepCopy(value)),
        call.kwargs.map(([name, value]) => [name, deepCopy(value)] as const),
      );
      return resultText(method.run(live.instance, args));
    } catch (error) {
      if (error instanceof PyException) return `Error during execution: ${error.message}`;
      if (error instanceof RangeError) return `Error during execution: ${error.message}`;
      throw error;
    }
  }

  /** Public state per class, in `involved_classes` order, for the checker. */
  states(): Array<{ className: string; attributes: ReadonlyArray<readonly [string, PyValue]> }> {
    return [...this.#classes].map(([className, live]) => ({ className, attributes: live.backend.publicState(live.instance) }));
  }
}
