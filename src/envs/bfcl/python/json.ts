import { floatRepr } from './numbers.js';
import { PyException, PyFloat, pyTypeName, type PyDict, type PyValue } from './values.js';

/**
 * Python's `json.loads` and `json.dumps` for the value model. `JSON.parse` cannot be used for data:
 * it forgets whether a number was written `10` or `10.0`, and BFCL's results depend on that.
 */

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
    this.name = 'JsonSyntaxError';
  }
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

class Parser {
  index = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new JsonSyntaxError(message, this.index);
  }

  skip(): void {
    while (this.index < this.text.length && WHITESPACE.has(this.text.charCodeAt(this.index))) this.index += 1;
  }

  value(): PyValue {
    this.skip();
    const char = this.text[this.index];
    switch (char) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case 'N':
        return this.literal('NaN', new PyFloat(NaN));
      case 'I':
        return this.literal('Infinity', new PyFloat(Infinity));
      case undefined:
        return this.fail('Expecting value');
    }
    if (char === '-' && this.text.startsWith('-Infinity', this.index)) return this.literal('-Infinity', new PyFloat(-Infinity));
    return this.number();
  }

  literal<T extends PyValue>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.index)) this.fail('Expecting value');
    this.index += word.length;
    return value;
  }

  number(): number | PyFloat {
    const match = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
    match.lastIndex = this.index;
    const found = match.exec(this.text);
    if (!found) return this.fail('Expecting value');
    this.index += found[0].length;
    const value = Number(found[0]);
    return found[1] !== undefined || found[2] !== undefined ? new PyFloat(value) : value;
  }

  string(): string {
    this.index += 1;
    let out = '';
    let start = this.index;
    for (;;) {
      const code = this.text.charCodeAt(this.index);
      if (Number.isNaN(code)) this.fail('Unterminated string starting');
      if (code === 0x22) {
        out += this.text.slice(start, this.index);
        this.index += 1;
        return out;
      }
      if (code < 0x20) this.fail('Invalid control character');
      if (code !== 0x5c) {
        this.index += 1;
        continue;
      }
      out += this.text.slice(start, this.index);
      const escape = this.text[this.index + 1];
      this.index += 2;
      switch (escape) {
        case '"':
        case '\\':
        case '/':
          out += escape;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = this.text.slice(this.index, this.index + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid \\uXXXX escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.index += 4;
          break;
        }
        default:
          this.index -= 1;
          this.fail('Invalid \\escape');
      }
      start = this.index;
    }
  }

  array(): PyValue[] {
    this.index += 1;
    const items: PyValue[] = [];
    this.skip();
    if (this.text[this.index] === ']') {
      this.index += 1;
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.skip();
      const char = this.text[this.index];
      this.index += 1;
      if (char === ']') return items;
      if (char !== ',') {
        this.index -= 1;
        this.fail("Expecting ',' delimiter");
      }
    }
  }

  object(): PyDict {
    this.index += 1;
    const map: PyDict = new Map();
    this.skip();
    if (this.text[this.index] === '}') {
      this.index += 1;
      return map;
    }
    for (;;) {
      this.skip();
      if (this.text[this.index] !== '"') this.fail('Expecting property name enclosed in double quotes');
      const key = this.string();
      this.skip();
      if (this.text[this.index] !== ':') this.fail("Expecting ':' delimiter");
      this.index += 1;
      map.set(key, this.value());
      this.skip();
      const char = this.text[this.index];
      this.index += 1;
      if (char === '}') return map;
      if (char !== ',') {
        this.index -= 1;
        this.fail("Expecting ',' delimiter");
      }
    }
  }
}

/** `json.loads(text)`: objects become Maps (string keys, file order), `1.0` stays a float. */
export function parsePyJson(text: string): PyValue {
  const parser = new Parser(text);
  const value = parser.value();
  parser.skip();
  if (parser.index !== text.length) parser.fail('Extra data');
  return value;
}

const NEEDS_ESCAPE_ASCII = /["\\\x00-\x1f\x7f-\uffff]/;
const NEEDS_ESCAPE = /["\\\x00-\x1f]/;

function escapeJsonString(text: string, ensureAscii: boolean): string {
  if (!(ensureAscii ? NEEDS_ESCAPE_ASCII : NEEDS_ESCAPE).test(text)) return `"${text}"`;
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code !== 0x22 && code !== 0x5c && (code < 0x7f || !ensureAscii)) continue;
    out += text.slice(start, i);
    start = i + 1;
    switch (code) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      default:
        out += `\\u${code.toString(16).padStart(4, '0')}`;
    }
  }
  return `${out}${text.slice(start)}"`;
}

function dumpFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return floatRepr(value);
}

function dumpInt(value: number): string {
  if (!Number.isInteger(value)) return dumpFloat(value);
  return Math.abs(value) < 1e21 ? String(value === 0 ? 0 : value) : BigInt(value).toString();
}

export interface JsonDumpOptions {
  /** Escape non-ASCII as `\uXXXX` (Python's default). @default true */
  ensureAscii?: boolean;
}

/**
 * `json.dumps(value)` with Python's defaults: `", "` and `": "` separators, ASCII-only output,
 * NaN/Infinity allowed. Raises a Python TypeError for values JSON cannot hold (sets, mpf, Decimal).
 */
export function pyJsonDumps(value: PyValue, options: JsonDumpOptions = {}): string {
  const ensureAscii = options.ensureAscii ?? true;
  const dump = (item: PyValue): string => {
    if (item === null) return 'null';
    switch (typeof item) {
      case 'boolean':
        return item ? 'true' : 'false';
      case 'number':
        return dumpInt(item);
      case 'string':
        return escapeJsonString(item, ensureAscii);
    }
    if (item instanceof PyFloat) return dumpFloat(item.value);
    if (Array.isArray(item)) return `[${item.map(dump).join(', ')}]`;
    if (item instanceof Map) {
      const parts: string[] = [];
      for (const [key, entry] of item) {
        const name = typeof key === 'string' ? key : dumpInt(key);
        parts.push(`${escapeJsonString(name, ensureAscii)}: ${dump(entry)}`);
      }
      return `{${parts.join(', ')}}`;
    }
    throw new PyException('TypeError', `Object of type ${pyTypeName(item)} is not JSON serializable`);
  };
  return dump(value);
}
