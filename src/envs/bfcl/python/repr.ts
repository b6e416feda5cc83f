import { floatRepr } from './numbers.js';
import { PyFloat, type PyValue } from './values.js';

/**
 * `repr(x)` and `str(x)` for the value model. BFCL shows lists, dicts holding non-JSON values, and
 * error messages through these, so quoting and escaping follow CPython.
 */

// str.isprintable() is false for these categories (the space is the one printable separator)
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function escapeCodePoint(code: number): string {
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}

/** `repr(s)` of a str: single quotes unless the text holds `'` and no `"`. */
export function reprString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    switch (char) {
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
    }
    if (char === quote) {
      out += `\\${quote}`;
      continue;
    }
    const code = char.codePointAt(0)!;
    if (code < 0x7f && code >= 0x20) out += char;
    else if (char !== ' ' && NON_PRINTABLE.test(char)) out += escapeCodePoint(code);
    else out += char;
  }
  return out + quote;
}

/** `repr(x)` */
export function pyRepr(value: PyValue): string {
  if (value === null) return 'None';
  switch (typeof value) {
    case 'boolean':
      return value ? 'True' : 'False';
    case 'number':
      if (!Number.isInteger(value)) return floatRepr(value);
      return Math.abs(value) < 1e21 ? String(value === 0 ? 0 : value) : BigInt(value).toString();
    case 'string':
      return reprString(value);
  }
  if (value instanceof PyFloat) return floatRepr(value.value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (value instanceof Map) {
    const parts: string[] = [];
    for (const [key, item] of value) parts.push(`${pyRepr(key)}: ${pyRepr(item)}`);
    return `{${parts.join(', ')}}`;
  }
  return value.pyRepr();
}

/** `str(x)`: the text itself for a str, the repr for everything else. */
export function pyStr(value: PyValue): string {
  return typeof value === 'string' ? value : pyRepr(value);
}
