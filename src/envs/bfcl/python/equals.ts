import { isNumber, numberValue } from './numbers.js';
import { PyFloat, type PyValue } from './values.js';

/**
 * Python `==`, as BFCL's state check uses it: numbers compare across int/float/bool (1 == 1.0 ==
 * True), dicts ignore order, lists are ordered, objects decide for themselves.
 */
export function pyEquals(a: PyValue, b: PyValue): boolean {
  if (a === b) return true;
  if (isNumber(a) && isNumber(b)) return numberValue(a) === numberValue(b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof PyFloat || b instanceof PyFloat) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i += 1) if (!pyEquals(a[i] as PyValue, b[i] as PyValue)) return false;
    return true;
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [key, value] of a) {
      if (!b.has(key)) return false;
      if (!pyEquals(value, b.get(key) as PyValue)) return false;
    }
    return true;
  }
  if (Array.isArray(b) || b instanceof Map) return false;
  return a.pyEquals(b);
}
