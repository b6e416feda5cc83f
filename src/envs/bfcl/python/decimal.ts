import { isInt, isNumber, numberValue } from './numbers.js';
import { PyException, pyTypeName, type PyObject, type PyValue } from './values.js';

/**
 * What BFCL's `square_root` computes with the decimal module: `getcontext().prec = precision`, then
 * `Decimal(number).sqrt()`: the exact value of the float, square-rooted and correctly rounded
 * (half-even) to `prec` digits, exact results reduced to the ideal exponent, shown as `Decimal('…')`.
 */

/** A finite non-negative decimal: coefficient * 10^exponent. */
interface DecimalValue {
  coefficient: bigint;
  exponent: number;
}

/** `Decimal(float)` / `Decimal(int)`: exact, with the reduced binary fraction (`Decimal(2.0)` is `2`). */
function decimalOf(x: number): DecimalValue {
  if (Number.isInteger(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER) return { coefficient: BigInt(Math.abs(x)), exponent: 0 };
  let numerator = Math.abs(x);
  let twos = 0;
  // scale to an integer numerator over a power of two (exact: doubles are dyadic)
  while (!Number.isInteger(numerator)) {
    numerator *= 2;
    twos += 1;
  }
  return { coefficient: BigInt(numerator) * 5n ** BigInt(twos), exponent: -twos };
}

function digitCount(n: bigint): number {
  return n.toString().length;
}

/** Rounds to `prec` digits, half-even (Decimal._fix without the exponent limits). */
function fix(value: DecimalValue, prec: number): DecimalValue {
  const excess = digitCount(value.coefficient) - prec;
  if (excess <= 0) return value;
  const divisor = 10n ** BigInt(excess);
  let quotient = value.coefficient / divisor;
  const twice = (value.coefficient % divisor) * 2n;
  if (twice > divisor || (twice === divisor && quotient % 2n === 1n)) quotient += 1n;
  let exponent = value.exponent + excess;
  if (digitCount(quotient) > prec) {
    quotient /= 10n;
    exponent += 1;
  }
  return { coefficient: quotient, exponent };
}

function sqrtDecimal(value: DecimalValue, contextPrec: number): DecimalValue {
  if (value.coefficient === 0n) return { coefficient: 0n, exponent: value.exponent >> 1 };
  const prec = contextPrec + 1;
  let e = value.exponent >> 1;
  const length = digitCount(value.coefficient);
  let c: bigint;
  let l: number;
  if (value.exponent & 1) {
    c = value.coefficient * 10n;
    l = (length >> 1) + 1;
  } else {
    c = value.coefficient;
    l = (length + 1) >> 1;
  }
  const shift = prec - l;
  let exact: boolean;
  if (shift >= 0) {
    c *= 100n ** BigInt(shift);
    exact = true;
  } else {
    const divisor = 100n ** BigInt(-shift);
    exact = c % divisor === 0n;
    c /= divisor;
  }
  e -= shift;
  let n = 10n ** BigInt(prec);
  for (;;) {
    const q = c / n;
    if (n <= q) break;
    n = (n + q) >> 1n;
  }
  exact = exact && n * n === c;
  if (exact) {
    if (shift >= 0) n /= 10n ** BigInt(shift);
    else n *= 10n ** BigInt(-shift);
    e += shift;
  } else if (n % 5n === 0n) {
    // keeps a false tie from rounding the wrong way
    n += 1n;
  }
  return fix({ coefficient: n, exponent: e }, contextPrec);
}

/** `str(Decimal)`: fixed notation unless the exponent is positive or the value is tiny. */
function decimalText(value: DecimalValue): string {
  const digits = value.coefficient.toString();
  const leftDigits = value.exponent + digits.length;
  const dotPlace = value.exponent <= 0 && leftDigits > -6 ? leftDigits : 1;
  let text: string;
  if (dotPlace <= 0) text = `0.${'0'.repeat(-dotPlace)}${digits}`;
  else if (dotPlace >= digits.length) text = digits + '0'.repeat(dotPlace - digits.length);
  else text = `${digits.slice(0, dotPlace)}.${digits.slice(dotPlace)}`;
  if (leftDigits === dotPlace) return text;
  const exponent = leftDigits - dotPlace;
  return `${text}E${exponent >= 0 ? '+' : ''}${exponent}`;
}

/** A `decimal.Decimal`, shown as `Decimal('1.4142')`; not JSON serialisable. */
export class PyDecimal implements PyObject {
  readonly pyType = 'Decimal';
  constructor(readonly text: string) {}
  pyEquals(other: PyValue): boolean {
    return other instanceof PyDecimal && other.text === this.text;
  }
  pyRepr(): string {
    return `Decimal('${this.text}')`;
  }
}

/**
 * `getcontext().prec = precision; Decimal(number).sqrt()`. Raises a Python TypeError for a
 * non-integer precision or a non-number, and ValueError for a precision below 1, as CPython does.
 */
export function decimalSqrt(number: PyValue, precision: PyValue): PyDecimal {
  if (!isInt(precision)) throw new PyException('TypeError', `'${pyTypeName(precision)}' object cannot be interpreted as an integer`);
  const prec = Number(precision);
  if (prec < 1) throw new PyException('ValueError', 'valid range for prec is [1, MAX_PREC]');
  if (!isNumber(number)) throw new PyException('TypeError', `conversion from ${pyTypeName(number)} to Decimal is not supported`);
  const x = numberValue(number);
  if (x < 0) throw new PyException('InvalidOperation', "[<class 'decimal.InvalidOperation'>]");
  if (!Number.isFinite(x)) return new PyDecimal(Number.isNaN(x) ? 'NaN' : 'Infinity');
  return new PyDecimal(decimalText(sqrtDecimal(decimalOf(x), prec)));
}
