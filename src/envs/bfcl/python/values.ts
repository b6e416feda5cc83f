/**
 * The Python value model the BFCL backends work on. BFCL's results are Python values turned into
 * strings, and its grading compares those strings, so the distinctions Python makes must survive:
 * int vs float (`10` vs `10.0`), dict insertion order (including numeric keys), None/True/False.
 *
 * - int: a JS number holding an integer (values beyond 2^53 lose precision; BFCL data never has them)
 * - float: a PyFloat wrapping a JS number
 * - dict: a Map, which keeps insertion order for every key, numeric ones included
 * - list (and tuple): a JS array
 * - objects with their own equality and repr (file-system nodes, sets, mpf, Decimal): PyObject
 */

/** A Python float. Wrapped so that `10.0` and `10` stay apart through parsing, arithmetic and printing. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A Python object that decides its own equality and repr, and is not JSON serialisable. */
export interface PyObject {
  /** The Python type name, for error messages ("'set' object ..."). */
  readonly pyType: string;
  pyEquals(other: PyValue): boolean;
  pyRepr(): string;
}

export type PyKey = string | number;
export type PyDict = Map<PyKey, PyValue>;
export type PyValue = null | boolean | number | string | PyFloat | PyValue[] | PyDict | PyObject;

/** A Python exception raised inside a backend method; the executor shows `str(e)`, i.e. `message`. */
export class PyException extends Error {
  constructor(
    readonly pyType: string,
    message: string,
  ) {
    super(message);
    this.name = pyType;
  }
}

export function isDict(value: PyValue | undefined): value is PyDict {
  return value instanceof Map;
}

/** `type(x).__name__` */
export function pyTypeName(value: PyValue): string {
  if (value === null) return 'NoneType';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'int';
    case 'string':
      return 'str';
  }
  if (value instanceof PyFloat) return 'float';
  if (value instanceof Map) return 'dict';
  if (Array.isArray(value)) return 'list';
  return value.pyType;
}

/** Python truthiness (`bool(x)`). */
export function truthy(value: PyValue): boolean {
  if (value === null) return false;
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'number':
      return value !== 0;
    case 'string':
      return value.length > 0;
  }
  if (value instanceof PyFloat) return value.value !== 0;
  if (value instanceof Map) return value.size > 0;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** A dict from a record whose keys are field names (never integer-like, so JS keeps their order). */
export function dict(fields: Record<string, PyValue>): PyDict {
  const map: PyDict = new Map();
  for (const key in fields) map.set(key, fields[key]!);
  return map;
}

/** Python `float(x)` of a JS number: shorthand for building results. */
export function float(value: number): PyFloat {
  return new PyFloat(value);
}

/** `copy.deepcopy` for plain values; PyObjects are immutable here or copied by their owner. */
export function deepCopy<T extends PyValue>(value: T): T {
  if (value instanceof Map) {
    const copy: PyDict = new Map();
    for (const [key, item] of value as PyDict) copy.set(key, deepCopy(item));
    return copy as T;
  }
  if (Array.isArray(value)) return value.map((item) => deepCopy(item)) as T;
  return value;
}

/** Normalises a value used as a dict key, as Python hashes it (1.0 and True are the key 1). */
export function toKey(value: PyValue): PyKey {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof PyFloat) return value.value;
  if (value === null) return 'None';
  throw new PyException('TypeError', `unhashable type: '${pyTypeName(value)}'`);
}

