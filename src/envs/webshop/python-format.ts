/**
 * The few Python formatting rules WebShop's text depends on, so our pages and scores print the same
 * characters as upstream: float repr (`$100.0`, `0.75`), round-half-even, string repr (a goal option
 * tuple's text form is what fuzzy matching sees) and `json.dumps` (the done page's options).
 */

/** Python's `repr(float)`: shortest round-trip digits, always with a fractional part or an exponent. */
export function pyFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(value);
  // Python switches to exponent form at 1e16 and below 1e-4; JS at 1e21 and below 1e-6
  if (abs >= 1e16 || abs < 1e-4) {
    const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
    const sign = exponent.startsWith('-') ? '-' : '+';
    const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** Python 3's `round(x)` for floats: ties go to the even neighbour. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor; // exact for the magnitudes used here (|x| < 2^52)
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function escapeCodePoint(codePoint: number): string {
  if (codePoint <= 0xff) return `\\x${codePoint.toString(16).padStart(2, '0')}`;
  if (codePoint <= 0xffff) return `\\u${codePoint.toString(16).padStart(4, '0')}`;
  return `\\U${codePoint.toString(16).padStart(8, '0')}`;
}

/** Python's `repr(str)`: single quotes unless the text has a single quote and no double quote. */
export function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    if (char === quote || char === '\\') out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (char !== ' ' && NON_PRINTABLE.test(char)) out += escapeCodePoint(char.codePointAt(0)!);
    else out += char;
  }
  return out + quote;
}

/** Python's `repr(tuple_of_str)`, e.g. `('size', 'large')`. */
export function pyTupleRepr(items: readonly string[]): string {
  const inner = items.map(pyStrRepr).join(', ');
  return items.length === 1 ? `(${inner},)` : `(${inner})`;
}

function pyJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const char = text[i]!;
    if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    // ensure_ascii: everything outside printable ASCII as \uXXXX, per UTF-16 unit (pairs stay pairs)
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/** Python's `json.dumps(dict_of_str)` with default settings (`", "`, `": "`, ensure_ascii). */
export function pyJsonDumps(record: Readonly<Record<string, string>>): string {
  const entries = Object.entries(record).map(([key, value]) => `${pyJsonString(key)}: ${pyJsonString(value)}`);
  return `{${entries.join(', ')}}`;
}

/** Python's `str.strip(chars)` for a set of single characters (e.g. `strip('.')`). */
export function pyStripChars(text: string, chars: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && chars.includes(text[start]!)) start += 1;
  while (end > start && chars.includes(text[end - 1]!)) end -= 1;
  return text.slice(start, end);
}

/** Python's `float(Decimal(s))` for plain decimal text, or undefined when `s` is not a decimal number. */
export function parseDecimal(text: string): number | undefined {
  if (!/^(\d+\.?\d*|\.\d+)$/.test(text)) return undefined;
  return Number(text);
}
