/**
 * Python str methods whose behaviour differs from the JS look-alikes: `splitlines` (more line
 * breaks, no trailing empty item), `split()` (Python's whitespace set), `len` (code points).
 */

const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;
const WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** `s.splitlines()` */
export function splitlines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(LINE_BREAK);
  // a break at the very end does not start another line
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** `s.split()` with no separator: runs of whitespace, no empty items. */
export function splitWhitespace(text: string): string[] {
  return text.split(WHITESPACE).filter((part) => part !== '');
}

/** `len(s)`: code points, not UTF-16 units. */
export function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i += 1;
    }
    count += 1;
  }
  return count;
}
