import { roundHalfEven } from './python-format.js';

/**
 * TheFuzz 0.19's `fuzz.ratio` and `fuzz.token_set_ratio` with python-Levenshtein as the backend (what
 * AgentGym installs and Debian's python3-thefuzz uses), the matcher WebShop's reward is built on.
 * Similarity is Levenshtein's ratio: (len1 + len2 - indel distance) / (len1 + len2), over code points.
 */

const ASCII_ONLY = /[\u0080-\u00ff]/g; // force_ascii deletes code points 128-255 only
const NON_WORD = /[^\p{L}\p{N}_]/gu; // Python's Unicode `\W`

/** TheFuzz's `full_process`: drop code points 128-255, non-word characters to spaces, lower-case, strip. */
export function fullProcess(text: string): string {
  return text.replace(ASCII_ONLY, '').replace(NON_WORD, ' ').toLowerCase().trim();
}

function codePoints(text: string): number[] {
  const out: number[] = [];
  for (const char of text) out.push(char.codePointAt(0)!);
  return out;
}

/** Length of the longest common subsequence, one rolling row. */
function lcsLength(a: readonly number[], b: readonly number[]): number {
  if (a.length < b.length) return lcsLength(b, a);
  const row = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = 0;
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j]!;
      row[j] = ai === b[j - 1] ? diagonal + 1 : Math.max(above, row[j - 1]!);
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** Levenshtein's `ratio`: 1 - indel distance / total length, in [0, 1]. */
export function similarity(a: string, b: string): number {
  const x = codePoints(a);
  const y = codePoints(b);
  const total = x.length + y.length;
  if (total === 0) return 1;
  return (2 * lcsLength(x, y)) / total;
}

/** `fuzz.ratio` without processing: 100 for equal strings, 0 when either is empty, else rounded 100 x similarity. */
export function ratio(a: string, b: string): number {
  if (a === b) return 100;
  if (a.length === 0 || b.length === 0) return 0;
  return roundHalfEven(100 * similarity(a, b));
}

/** Python's default string order: by code point (JS compares UTF-16 units, which differs past U+FFFF). */
function byCodePoint(a: string, b: string): number {
  if (a === b) return 0;
  const x = codePoints(a);
  const y = codePoints(b);
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function sortedJoin(tokens: Iterable<string>): string {
  return [...tokens].sort(byCodePoint).join(' ');
}

/**
 * `fuzz.token_set_ratio(a, b)` of TheFuzz 0.19: compares the sorted shared tokens with each side's
 * sorted tokens, so a token set that contains the other scores 100 ("large" vs "x-large").
 */
export function tokenSetRatio(a: string, b: string): number {
  const p1 = fullProcess(a);
  const p2 = fullProcess(b);
  if (p1.length === 0 || p2.length === 0) return 0;
  const tokens1 = new Set(p1.split(/\s+/u));
  const tokens2 = new Set(p2.split(/\s+/u));
  const shared = [...tokens1].filter((token) => tokens2.has(token));
  const only1 = [...tokens1].filter((token) => !tokens2.has(token));
  const only2 = [...tokens2].filter((token) => !tokens1.has(token));
  const intersection = sortedJoin(shared);
  const combined1 = `${intersection} ${sortedJoin(only1)}`.trim();
  const combined2 = `${intersection} ${sortedJoin(only2)}`.trim();
  return Math.max(ratio(intersection, combined1), ratio(intersection, combined2), ratio(combined1, combined2));
}
