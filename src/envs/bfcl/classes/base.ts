import { pyEquals } from '../python/equals.js';
import { pyRepr } from '../python/repr.js';
import { deepCopy, PyException, pyTypeName, toKey, type PyDict, type PyValue } from '../python/values.js';
import type { LongContextFiller } from '../long-context.js';

/**
 * The contract every BFCL backend class implements: how to build an instance from an entry's
 * `initial_config`, its public methods with their Python signatures (for binding positional and
 * keyword arguments and for Python's TypeError texts), and the public state BFCL's checker compares.
 */

/** A parameter: a required name, or `[name, default]`. In Python signature order. */
export type Param = string | readonly [name: string, defaultValue: PyValue];

/** Bound arguments by parameter name. */
export type Args = Readonly<Record<string, PyValue>>;

export interface Method<S> {
  readonly params: readonly Param[];
  run(instance: S, args: Args): PyValue;
}

export interface LoadContext {
  /** BFCL's long-context filler, present for the long_context category only. */
  readonly longContext: LongContextFiller | undefined;
}

export interface BackendClass<S = unknown> {
  /** The Python class name, as in `involved_classes` (e.g. `GorillaFileSystem`). */
  readonly name: string;
  /** Its function-doc file under `multi_turn_func_doc/`, without `.json`. */
  readonly docFile: string;
  /**
   * `_load_scenario(deepcopy(config), long_context)`. The scenario is shared by every instance of
   * the entry: copy what is kept (`field` does), never mutate it.
   */
  create(scenario: PyDict, context: LoadContext): S;
  readonly methods: Readonly<Record<string, Method<S>>>;
  /** `vars(instance)` without `_`-prefixed names, in attribute order. */
  publicState(instance: S): ReadonlyArray<readonly [string, PyValue]>;
}

/** Typed helper for class modules. */
export function defineBackend<S>(definition: BackendClass<S>): BackendClass<S> {
  return definition;
}

function quoteList(names: readonly string[]): string {
  const quoted = names.map((name) => `'${name}'`);
  if (quoted.length <= 1) return quoted.join('');
  if (quoted.length === 2) return `${quoted[0]} and ${quoted[1]}`;
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
}

const signatures = new WeakMap<readonly Param[], { names: string[]; required: number }>();

function signatureOf(params: readonly Param[]): { names: string[]; required: number } {
  let signature = signatures.get(params);
  if (!signature) {
    signature = { names: params.map((param) => (typeof param === 'string' ? param : param[0])), required: params.filter((param) => typeof param === 'string').length };
    signatures.set(params, signature);
  }
  return signature;
}

/**
 * Binds call arguments to a signature as CPython does, with its error texts
 * (`GorillaFileSystem.cd() missing 1 required positional argument: 'folder'`).
 * Defaults are copied per call, so no call sees another's mutations.
 */
export function bindArguments(
  qualifiedName: string,
  params: readonly Param[],
  positional: readonly PyValue[],
  keywords: ReadonlyArray<readonly [string, PyValue]>,
): Args {
  const { names, required } = signatureOf(params);
  if (positional.length > names.length) {
    const takes = required === names.length ? `${names.length + 1}` : `from ${required + 1} to ${names.length + 1}`;
    const plural = takes === '1' ? 'argument' : 'arguments';
    const given = positional.length + 1;
    throw new PyException('TypeError', `${qualifiedName}() takes ${takes} positional ${plural} but ${given} ${given === 1 ? 'was' : 'were'} given`);
  }
  const bound: Record<string, PyValue> = {};
  const seen = new Set<string>();
  positional.forEach((value, index) => {
    bound[names[index]!] = value;
    seen.add(names[index]!);
  });
  for (const [name, value] of keywords) {
    if (!names.includes(name)) throw new PyException('TypeError', `${qualifiedName}() got an unexpected keyword argument '${name}'`);
    if (seen.has(name)) throw new PyException('TypeError', `${qualifiedName}() got multiple values for argument '${name}'`);
    bound[name] = value;
    seen.add(name);
  }
  const missing: string[] = [];
  for (const param of params) {
    if (typeof param === 'string') {
      if (!seen.has(param)) missing.push(param);
    } else if (!seen.has(param[0])) bound[param[0]] = deepCopy(param[1]);
  }
  if (missing.length > 0) {
    const plural = missing.length === 1 ? 'argument' : 'arguments';
    throw new PyException('TypeError', `${qualifiedName}() missing ${missing.length} required positional ${plural}: ${quoteList(missing)}`);
  }
  return bound;
}

// ---- helpers the class modules share: Python behaviour on values of any type ----

/** A value used as a str (calling a str method on it): AttributeError otherwise, as Python. */
export function asStr(value: PyValue, method: string): string {
  if (typeof value === 'string') return value;
  throw new PyException('AttributeError', `'${pyTypeName(value)}' object has no attribute '${method}'`);
}

/** A value iterated over as a list (`for x in value`). */
export function asList(value: PyValue): readonly PyValue[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (value instanceof Map) return [...value.keys()];
  throw new PyException('TypeError', `'${pyTypeName(value)}' object is not iterable`);
}

/** `item in container` for lists, dicts (keys) and strings (substring). */
export function contains(container: PyValue, item: PyValue): boolean {
  if (Array.isArray(container)) return container.some((entry) => pyEquals(entry, item));
  if (container instanceof Map) return container.has(toKey(item));
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw new PyException('TypeError', `'in <string>' requires string as left operand, not ${pyTypeName(item)}`);
    return container.includes(item);
  }
  throw new PyException('TypeError', `argument of type '${pyTypeName(container)}' is not iterable`);
}

/** `d[key]` with Python's KeyError (whose str() is the key's repr). */
export function getItem(container: PyValue, key: PyValue): PyValue {
  if (container instanceof Map) {
    const k = toKey(key);
    if (!container.has(k)) throw new PyException('KeyError', pyRepr(key));
    return container.get(k) as PyValue;
  }
  if (Array.isArray(container) && typeof key === 'number') {
    const index = key < 0 ? container.length + key : key;
    if (index < 0 || index >= container.length) throw new PyException('IndexError', 'list index out of range');
    return container[index] as PyValue;
  }
  throw new PyException('TypeError', `'${pyTypeName(container)}' object is not subscriptable`);
}

/** `{k: v}` as a dict. */
export function pairs(entries: ReadonlyArray<readonly [string, PyValue]>): PyDict {
  return new Map(entries);
}

/**
 * `scenario.get(key, default)`, copied: BFCL loads from `deepcopy(initial_config)`, and the parsed
 * entry is shared by every instance, so each instance takes its own copy of what it keeps.
 */
export function field(scenario: PyDict, key: string, fallback: PyValue): PyValue {
  return deepCopy(scenario.has(key) ? (scenario.get(key) as PyValue) : fallback);
}

/** `{"error": message}`, the backends' usual failure result. */
export function failure(message: string): PyDict {
  return new Map([['error', message]]);
}
