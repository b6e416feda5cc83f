import { pyRepr } from './repr.js';
import { PyException, pyTypeName, type PyValue } from './values.js';

/**
 * `datetime.strptime` for the formats BFCL uses (`%Y-%m-%d`, `%Y-%m-%d %H:%M:%S`): Python accepts
 * unpadded months, days and hours, rejects impossible dates and trailing text, with its messages.
 * Times are naive; the result is milliseconds on a UTC clock, for ordering and formatting only.
 */

const DIRECTIVES: Record<string, string> = {
  Y: '(\\d\\d\\d\\d)',
  m: '(1[0-2]|0[1-9]|[1-9])',
  d: '(3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])',
  H: '(2[0-3]|[0-1]\\d|\\d)',
  M: '([0-5]\\d|\\d)',
  S: '(6[0-1]|[0-5]\\d|\\d)',
};

const compiled = new Map<string, { regex: RegExp; fields: string[] }>();

function compile(format: string): { regex: RegExp; fields: string[] } {
  let found = compiled.get(format);
  if (found) return found;
  const fields: string[] = [];
  let source = '';
  for (let i = 0; i < format.length; i += 1) {
    const char = format[i]!;
    if (char === '%') {
      const directive = format[i + 1]!;
      source += DIRECTIVES[directive];
      fields.push(directive);
      i += 1;
    } else if (char === ' ') source += '\\s+';
    else source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  found = { regex: new RegExp(`^${source}`, 'i'), fields };
  compiled.set(format, found);
  return found;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `datetime.strptime(text, format)` as milliseconds on a naive (UTC) clock. */
export function strptime(text: PyValue, format: string): number {
  if (typeof text !== 'string') throw new PyException('TypeError', `strptime() argument 1 must be str, not ${pyTypeName(text)}`);
  const { regex, fields } = compile(format);
  const match = regex.exec(text);
  if (!match) throw new PyException('ValueError', `time data ${pyRepr(text)} does not match format ${pyRepr(format)}`);
  if (match[0].length !== text.length) throw new PyException('ValueError', `unconverted data remains: ${text.slice(match[0].length)}`);
  const parts: Record<string, number> = { Y: 1900, m: 1, d: 1, H: 0, M: 0, S: 0 };
  fields.forEach((field, index) => {
    parts[field] = Number(match[index + 1]!.trim());
  });
  if (parts.d! > daysInMonth(parts.Y!, parts.m!)) throw new PyException('ValueError', 'day is out of range for month');
  // second 60/61 parse but datetime() refuses them
  if (parts.S! > 59) throw new PyException('ValueError', 'second must be in 0..59');
  return Date.UTC(parts.Y!, parts.m! - 1, parts.d!, parts.H!, parts.M!, parts.S!);
}

/** `strftime('%Y-%m-%d %H:%M:%S')` of a naive (UTC clock) time. */
export function formatDateTime(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}
