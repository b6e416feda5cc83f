import { PyException, PyFloat, pyTypeName, type PyObject, type PyValue } from './values.js';

/**
 * Python numeric semantics where they change BFCL's result strings: the int/float tag through
 * arithmetic, float repr, round() and `{:.2f}` (both round half-even on the exact binary value),
 * and the TypeErrors Python raises for mixed types.
 */

export type PyNumber = number | boolean | PyFloat;

export function isNumber(value: PyValue | undefined): value is PyNumber {
  return typeof value === 'number' || typeof value === 'boolean' || value instanceof PyFloat;
}

export function isFloat(value: PyValue | undefined): value is PyFloat {
  return value instanceof PyFloat;
}

/** An int in Python's sense (bool included, as `isinstance(True, int)`). */
export function isInt(value: PyValue | undefined): value is number | boolean {
  return typeof value === 'number' || typeof value === 'boolean';
}

/** The JS number behind a Python number. */
export function numberValue(value: PyNumber): number {
  if (value instanceof PyFloat) return value.value;
  return typeof value === 'boolean' ? Number(value) : value;
}

function make(value: number, asFloat: boolean): number | PyFloat {
  return asFloat ? new PyFloat(value) : value;
}

function operandError(op: string, a: PyValue, b: PyValue): PyException {
  if (typeof a === 'string') return new PyException('TypeError', `can only concatenate str (not "${pyTypeName(b)}") to str`);
  return new PyException('TypeError', `unsupported operand type(s) for ${op}: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

export function add(a: PyValue, b: PyValue): PyValue {
  if (isNumber(a) && isNumber(b)) return make(numberValue(a) + numberValue(b), isFloat(a) || isFloat(b));
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  throw operandError('+', a, b);
}

export function sub(a: PyValue, b: PyValue): number | PyFloat {
  if (isNumber(a) && isNumber(b)) return make(numberValue(a) - numberValue(b), isFloat(a) || isFloat(b));
  throw operandError('-', a, b);
}

export function mul(a: PyValue, b: PyValue): number | PyFloat {
  if (isNumber(a) && isNumber(b)) return make(numberValue(a) * numberValue(b), isFloat(a) || isFloat(b));
  throw operandError('*', a, b);
}

/** `a / b`: always a float in Python 3. */
export function truediv(a: PyValue, b: PyValue): PyFloat {
  if (!(isNumber(a) && isNumber(b))) throw operandError('/', a, b);
  const divisor = numberValue(b);
  if (divisor === 0) throw new PyException('ZeroDivisionError', isFloat(a) || isFloat(b) ? 'float division by zero' : 'division by zero');
  return new PyFloat(numberValue(a) / divisor);
}

export function neg(a: PyValue): number | PyFloat {
  if (!isNumber(a)) throw new PyException('TypeError', `bad operand type for unary -: '${pyTypeName(a)}'`);
  return make(-numberValue(a), isFloat(a));
}

export function abs(a: PyValue): number | PyFloat {
  if (!isNumber(a)) throw new PyException('TypeError', `bad operand type for abs(): '${pyTypeName(a)}'`);
  return make(Math.abs(numberValue(a)), isFloat(a));
}

/** A complex number; only `power` produces one (a negative base to a fractional exponent). */
export class PyComplex implements PyObject {
  readonly pyType = 'complex';
  constructor(
    readonly real: number,
    readonly imag: number,
  ) {}
  pyEquals(other: PyValue): boolean {
    if (other instanceof PyComplex) return other.real === this.real && other.imag === this.imag;
    return this.imag === 0 && isNumber(other) && numberValue(other) === this.real;
  }
  pyRepr(): string {
    const part = (x: number) => floatRepr(x, false);
    if (this.real === 0 && !Object.is(this.real, -0)) return `${part(this.imag)}j`;
    const sign = this.imag < 0 || Object.is(this.imag, -0) || Number.isNaN(this.imag) ? '' : '+';
    return `(${part(this.real)}${sign}${part(this.imag)}j)`;
  }
}

/** `a ** b` */
export function power(a: PyValue, b: PyValue): PyValue {
  if (!(isNumber(a) && isNumber(b))) throw operandError('** or pow()', a, b);
  const x = numberValue(a);
  const y = numberValue(b);
  if (!isFloat(a) && !isFloat(b)) {
    if (y >= 0) return x ** y;
    if (x === 0) throw new PyException('ZeroDivisionError', '0.0 cannot be raised to a negative power');
    return new PyFloat(x ** y);
  }
  if (x === 0 && y < 0) throw new PyException('ZeroDivisionError', '0.0 cannot be raised to a negative power');
  if (x < 0 && !Number.isInteger(y)) {
    // float.__pow__ switches to complex here: |x|^y at angle pi*y
    const length = Math.abs(x) ** y;
    const phase = Math.PI * y;
    return new PyComplex(length * Math.cos(phase), length * Math.sin(phase));
  }
  return new PyFloat(x ** y);
}

function compareError(op: string, a: PyValue, b: PyValue): PyException {
  return new PyException('TypeError', `'${op}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

/** Python ordering: numbers with numbers, str with str (by code point), lists element-wise. */
export function compare(a: PyValue, b: PyValue, op: '<' | '<=' | '>' | '>='): number {
  if (isNumber(a) && isNumber(b)) {
    const x = numberValue(a);
    const y = numberValue(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
      const c = compare(a[i] as PyValue, b[i] as PyValue, op);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  throw compareError(op, a, b);
}

export const lt = (a: PyValue, b: PyValue): boolean => compare(a, b, '<') < 0;
export const le = (a: PyValue, b: PyValue): boolean => compare(a, b, '<=') <= 0;
export const gt = (a: PyValue, b: PyValue): boolean => compare(a, b, '>') > 0;
export const ge = (a: PyValue, b: PyValue): boolean => compare(a, b, '>=') >= 0;

/** Code-point order, as Python sorts strings (JS `<` compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i += 1;
  }
  return a.length - b.length;
}

/** `sum(values)`: left to right from int 0 (CPython 3.11 and earlier; 3.12 compensates float sums). */
export function sum(values: readonly PyValue[]): PyValue {
  let total: PyValue = 0;
  for (const value of values) {
    if (!isNumber(value)) throw operandError('+', total, value);
    total = add(total, value);
  }
  return total;
}

/** `float(x)` */
export function toFloat(value: PyValue): PyFloat {
  if (isNumber(value)) return new PyFloat(numberValue(value));
  if (typeof value === 'string') {
    const text = value.trim().replace(/_/g, '');
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return new PyFloat(Number(text));
    if (/^[+-]?(inf|infinity)$/i.test(text)) return new PyFloat(text.startsWith('-') ? -Infinity : Infinity);
    if (/^[+-]?nan$/i.test(text)) return new PyFloat(NaN);
    throw new PyException('ValueError', `could not convert string to float: ${quoteForError(value)}`);
  }
  throw new PyException('TypeError', `float() argument must be a string or a real number, not '${pyTypeName(value)}'`);
}

function quoteForError(text: string): string {
  return text.includes("'") && !text.includes('"') ? `"${text}"` : `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Python's float repr: the shortest digits that round-trip (JS finds the same digits), laid out the
 * Python way: exponent form when the decimal point falls before -4 or after 16 digits, else fixed
 * with a trailing `.0` for integral values. `addDotZero = false` gives complex-part style (`2` not `2.0`).
 */
export function floatRepr(x: number, addDotZero = true): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return `${Object.is(x, -0) ? '-' : ''}0${addDotZero ? '.0' : ''}`;
  // fast path: in this range JS prints the same shortest digits in fixed notation
  const magnitude = Math.abs(x);
  if (magnitude >= 1e-4 && magnitude < 1e16) {
    const text = String(x);
    return addDotZero && Number.isInteger(x) ? `${text}.0` : text;
  }
  const [mantissa, exponentText] = x.toExponential().split('e') as [string, string];
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  const exponent = Number(exponentText);
  const point = exponent + 1;
  if (point > -4 && point <= 16) {
    if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
    if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}${addDotZero ? '.0' : ''}`;
    return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const exp = Math.abs(exponent).toString().padStart(2, '0');
  return `${sign}${head}e${exponent < 0 ? '-' : '+'}${exp}`;
}

/** The exact decimal value of a finite double: |x| = digits / 10^scale. */
export function exactDecimal(x: number): { negative: boolean; digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const negative = hi >>> 31 === 1;
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exponent: number;
  if (biased === 0) exponent = -1074;
  else {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  if (exponent >= 0) return { negative, digits: mantissa << BigInt(exponent), scale: 0 };
  return { negative, digits: mantissa * 5n ** BigInt(-exponent), scale: -exponent };
}

/** digits / 10^scale rounded half-even to `places` decimals, as an integer count of 10^-places. */
function roundScaled(digits: bigint, scale: number, places: number): bigint {
  if (places >= scale) return digits * 10n ** BigInt(places - scale);
  const divisor = 10n ** BigInt(scale - places);
  const quotient = digits / divisor;
  const twice = (digits % divisor) * 2n;
  if (twice > divisor || (twice === divisor && quotient % 2n === 1n)) return quotient + 1n;
  return quotient;
}

function placeDecimals(units: bigint, places: number): string {
  if (places <= 0) return (units * 10n ** BigInt(-places)).toString();
  const text = units.toString().padStart(places + 1, '0');
  return `${text.slice(0, -places)}.${text.slice(-places)}`;
}

/** `format(x, '.Nf')` for a float or int: exact value, rounded half-even. */
export function formatFixed(value: PyNumber, places: number): string {
  const x = numberValue(value);
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const { negative, digits, scale } = exactDecimal(x);
  const text = placeDecimals(roundScaled(digits, scale, places), places);
  return negative ? `-${text}` : text;
}

/**
 * `round(x, n)`: half-even on the exact binary value. The result keeps x's type when n is given
 * (`round(7.0, 0)` is 7.0, `round(7, 1)` is 7); without n it is an int.
 */
export function pyRound(value: PyValue, places: PyValue = null): number | PyFloat {
  if (!isNumber(value)) throw new PyException('TypeError', `type ${pyTypeName(value)} doesn't define __round__ method`);
  if (places !== null && !isInt(places)) throw new PyException('TypeError', `'${pyTypeName(places)}' object cannot be interpreted as an integer`);
  const x = numberValue(value);
  const n = places === null ? 0 : Number(places);
  if (!isFloat(value)) {
    if (n >= 0) return x;
    const unit = 10 ** -n;
    const q = Math.floor(Math.abs(x) / unit);
    const r = Math.abs(x) - q * unit;
    const rounded = r * 2 > unit || (r * 2 === unit && q % 2 === 1) ? q + 1 : q;
    return Math.sign(x) * rounded * unit || 0;
  }
  if (!Number.isFinite(x)) {
    if (places === null) throw new PyException(Number.isNaN(x) ? 'ValueError' : 'OverflowError', Number.isNaN(x) ? 'cannot convert float NaN to integer' : 'cannot convert float infinity to integer');
    return new PyFloat(x);
  }
  if (places !== null && n > 323) return new PyFloat(x);
  const { negative, digits, scale } = exactDecimal(x);
  const units = roundScaled(digits, scale, n);
  const magnitude = Number(placeDecimals(units, n));
  const result = negative ? -magnitude : magnitude;
  return places === null ? result || 0 : new PyFloat(result);
}

/** `int(x)` for numbers and numeric strings. */
export function toInt(value: PyValue): number {
  if (isNumber(value)) return Math.trunc(numberValue(value));
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number(value.trim());
  if (typeof value === 'string') throw new PyException('ValueError', `invalid literal for int() with base 10: ${quoteForError(value)}`);
  throw new PyException('TypeError', `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(value)}'`);
}
