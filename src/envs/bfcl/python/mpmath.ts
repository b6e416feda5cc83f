import { exactDecimal, isNumber, numberValue } from './numbers.js';
import { PyException, pyTypeName, type PyObject, type PyValue } from './values.js';
import { pyRepr } from './repr.js';

/**
 * What BFCL's `logarithm` computes with mpmath: `mp.dps = precision`, then `log(value) / log(base)`,
 * each step rounded to nearest at mpmath's binary precision, shown as `mpf('…')` with mpmath's repr
 * digits. Done here with BigInt fixed-point arithmetic, so every precision rounds the same way.
 */

/** A binary floating value: man * 2^exp (man a BigInt, sign in man). */
interface BinaryFloat {
  man: bigint;
  exp: number;
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : (n < 0n ? -n : n).toString(2).length;
}

/** Rounds a non-negative integer n shifted right by `shift` bits, half to even. */
function shiftRound(n: bigint, shift: number): bigint {
  if (shift <= 0) return n << BigInt(-shift);
  const quotient = n >> BigInt(shift);
  const remainder = n - (quotient << BigInt(shift));
  const half = 1n << BigInt(shift - 1);
  if (remainder > half || (remainder === half && (quotient & 1n) === 1n)) return quotient + 1n;
  return quotient;
}

/** Rounds man * 2^exp to `prec` significant bits. */
function normalise(value: BinaryFloat, prec: number): BinaryFloat {
  if (value.man === 0n) return { man: 0n, exp: 0 };
  const negative = value.man < 0n;
  let man = negative ? -value.man : value.man;
  let exp = value.exp;
  const excess = bitLength(man) - prec;
  if (excess > 0) {
    man = shiftRound(man, excess);
    exp += excess;
    if (bitLength(man) > prec) {
      man >>= 1n;
      exp += 1;
    }
  }
  return { man: negative ? -man : man, exp };
}

/** The exact binary value of a JS number or integer. */
function exactBinary(value: number): BinaryFloat {
  if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) return { man: BigInt(value), exp: 0 };
  const { negative, digits, scale } = exactDecimal(value);
  // digits / 10^scale with scale bits of 2 hidden in 5^scale: recover man * 2^-scale
  const man = digits / 5n ** BigInt(scale);
  return { man: negative ? -man : man, exp: -scale };
}

/** atanh(1/k) * 2^bits, for the ln 2 constant and the argument series. */
function atanhFixed(numerator: bigint, denominator: bigint, bits: number): bigint {
  // atanh(z) = z + z^3/3 + z^5/5 + ...
  const one = 1n << BigInt(bits);
  const z = (numerator * one) / denominator;
  const z2 = (z * z) >> BigInt(bits);
  let term = z;
  let sum = 0n;
  for (let k = 1n; term !== 0n; k += 2n) {
    sum += term / k;
    term = (term * z2) >> BigInt(bits);
  }
  return sum;
}

/** ln(x) for x > 0, correctly rounded to `prec` bits (barring values within 2^-60 of a tie). */
function logBinary(x: BinaryFloat, prec: number): BinaryFloat {
  // x = m * 2^e with m in [1, 2): ln x = ln m + e ln 2
  const m = x.man;
  const length = bitLength(m);
  const e = x.exp + length - 1;
  const approx = Math.log(Number(m) / 2 ** (length - 1)) + e * Math.LN2;
  if (m === 1n << BigInt(length - 1) && e === 0) return { man: 0n, exp: 0 };
  const magnitudeBits = approx === 0 ? 64 : Math.max(0, Math.ceil(-Math.log2(Math.abs(approx))));
  const bits = prec + 64 + magnitudeBits;
  // y = m / 2^(length-1) in [1, 2); ln y = 2 atanh((y-1)/(y+1))
  const scaleM = 1n << BigInt(length - 1);
  const lnY = 2n * atanhFixed(m - scaleM, m + scaleM, bits);
  const ln2 = 2n * atanhFixed(1n, 3n, bits);
  const total = lnY + BigInt(e) * ln2;
  return normalise({ man: total, exp: -bits }, prec);
}

function divide(a: BinaryFloat, b: BinaryFloat, prec: number): BinaryFloat {
  if (b.man === 0n) throw new PyException('ZeroDivisionError', '');
  if (a.man === 0n) return { man: 0n, exp: 0 };
  const negative = a.man < 0n !== b.man < 0n;
  const x = a.man < 0n ? -a.man : a.man;
  const y = b.man < 0n ? -b.man : b.man;
  // enough quotient bits for the rounding, then round half-even with the exact remainder
  const shift = Math.max(0, prec + 3 + bitLength(y) - bitLength(x));
  const scaled = x << BigInt(shift);
  let quotient = scaled / y;
  const remainder = scaled % y;
  // fold the remainder into a sticky bit so ties are decided exactly
  quotient = (quotient << 1n) | (remainder === 0n ? 0n : 1n);
  const result = normalise({ man: quotient, exp: a.exp - b.exp - shift - 1 }, prec);
  return negative ? { man: -result.man, exp: result.exp } : result;
}

/** mpmath's dps -> prec conversion */
export function dpsToPrec(dps: number): number {
  return Math.max(1, Math.round((Math.trunc(dps) + 1) * 3.3219280948873626));
}

function precToDps(prec: number): number {
  return Math.max(1, Math.round(prec / 3.3219280948873626) - 1);
}

function reprDigits(prec: number): number {
  const dps = precToDps(prec);
  return dps === 15 ? 17 : dps + 3;
}

/** Significant decimal digits (truncated to `count`) and the exponent of the first digit. */
function decimalDigits(value: BinaryFloat, count: number): { digits: string; exponent: number } {
  const man = value.man < 0n ? -value.man : value.man;
  let numerator = man;
  let denominator = 1n;
  if (value.exp >= 0) numerator <<= BigInt(value.exp);
  else denominator <<= BigInt(-value.exp);
  const integer = numerator / denominator;
  let exponent: number;
  let scaled: bigint;
  if (integer > 0n) {
    exponent = integer.toString().length - 1;
  } else {
    exponent = -1;
    let probe = numerator * 10n;
    while (probe < denominator) {
      probe *= 10n;
      exponent -= 1;
    }
  }
  const shift = count - 1 - exponent;
  if (shift >= 0) scaled = (numerator * 10n ** BigInt(shift)) / denominator;
  else scaled = numerator / (denominator * 10n ** BigInt(-shift));
  return { digits: scaled.toString(), exponent };
}

/** mpmath's `to_str(x, dps)`: round to dps digits, fixed notation near unit magnitude, strip zeros. */
function toStr(value: BinaryFloat, dps: number): string {
  if (value.man === 0n) return '0.0';
  const sign = value.man < 0n ? '-' : '';
  let { digits, exponent } = decimalDigits(value, dps + 3);
  if (digits.length > dps && '56789'.includes(digits[dps]!)) {
    let chars = digits.slice(0, dps);
    let i = dps - 1;
    while (i >= 0 && chars[i] === '9') i -= 1;
    if (i >= 0) chars = chars.slice(0, i) + String(Number(chars[i]) + 1) + '0'.repeat(dps - i - 1);
    else {
      chars = `1${'0'.repeat(dps - 1)}`;
      exponent += 1;
    }
    digits = chars;
  } else digits = digits.slice(0, dps);
  const minFixed = Math.min(-Math.floor(dps / 3), -5);
  const maxFixed = dps;
  let split = 1;
  if (minFixed < exponent && exponent < maxFixed) {
    if (exponent < 0) digits = '0'.repeat(-exponent) + digits;
    else {
      split = exponent + 1;
      if (split > dps) digits += '0'.repeat(split - dps);
    }
    exponent = 0;
  }
  let text = `${digits.slice(0, split)}.${digits.slice(split)}`.replace(/0+$/, '');
  if (text.endsWith('.')) text += '0';
  if (exponent === 0) return sign + text;
  return `${sign}${text}e${exponent > 0 ? '+' : ''}${exponent}`;
}

/** An mpmath `mpf`: shown as `mpf('1.3027')`, not JSON serialisable (so BFCL falls back to repr). */
export class Mpf implements PyObject {
  readonly pyType = 'mpf';
  constructor(readonly text: string) {}
  pyEquals(other: PyValue): boolean {
    return other instanceof Mpf && other.text === this.text;
  }
  pyRepr(): string {
    return `mpf('${this.text}')`;
  }
}

/** `mpc`, for logarithms of negative numbers; computed in double precision (approximate). */
export class Mpc implements PyObject {
  readonly pyType = 'mpc';
  constructor(
    readonly real: string,
    readonly imag: string,
  ) {}
  pyEquals(other: PyValue): boolean {
    return other instanceof Mpc && other.real === this.real && other.imag === this.imag;
  }
  pyRepr(): string {
    return `mpc(real='${this.real}', imag='${this.imag}')`;
  }
}

function toBinary(value: PyValue): BinaryFloat | number {
  if (!isNumber(value)) throw new PyException('ValueError', `cannot create mpf from ${pyRepr(value)}`);
  const x = numberValue(value);
  return Number.isFinite(x) ? exactBinary(x) : x;
}

function isBelowOne(value: BinaryFloat): boolean {
  return bitLength(value.man) + value.exp <= 0;
}

function infinityText(x: number): string {
  return Number.isNaN(x) ? 'nan' : x === Infinity ? '+inf' : x === -Infinity ? '-inf' : '0.0';
}

/** `mp.dps = precision; log(value) / log(base)` as BFCL's logarithm does. */
export function mpLogRatio(value: PyValue, base: PyValue, precision: PyValue): Mpf | Mpc {
  if (!isNumber(precision)) throw new PyException('TypeError', `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(precision)}'`);
  const prec = dpsToPrec(numberValue(precision));
  const digits = reprDigits(prec);
  const x = toBinary(value);
  const b = toBinary(base);
  if (typeof x === 'number' || typeof b === 'number') {
    // infinities and NaN: IEEE arithmetic gives mpmath's answers
    const ratio = Math.log(typeof x === 'number' ? x : Number(x.man) * 2 ** x.exp) / Math.log(typeof b === 'number' ? b : Number(b.man) * 2 ** b.exp);
    return new Mpf(infinityText(ratio));
  }
  if (x.man < 0n || b.man < 0n) return complexRatio(Number(x.man) * 2 ** x.exp, Number(b.man) * 2 ** b.exp, digits, prec);
  if (b.man === 0n && x.man === 0n) return new Mpf('nan');
  if (x.man === 0n) return new Mpf(isBelowOne(b) ? '+inf' : '-inf');
  if (b.man === 0n) return new Mpf('0.0');
  const ratio = divide(logBinary(x, prec), logBinary(b, prec), prec);
  return new Mpf(toStr(ratio, digits));
}

function complexRatio(value: number, base: number, digits: number, prec: number): Mpc {
  // ln(z) = ln|z| + i*arg(z); (a + bi) / (c + di)
  const a = Math.log(Math.abs(value));
  const b = value < 0 ? Math.PI : 0;
  const c = Math.log(Math.abs(base));
  const d = base < 0 ? Math.PI : 0;
  const denominator = c * c + d * d;
  if (denominator === 0) throw new PyException('ZeroDivisionError', '');
  const real = (a * c + b * d) / denominator;
  const imag = (b * c - a * d) / denominator;
  const show = (x: number) => (x === 0 ? '0.0' : toStr(normalise(exactBinary(x), prec), digits));
  return new Mpc(show(real), show(imag));
}
