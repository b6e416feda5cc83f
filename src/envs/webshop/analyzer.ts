import { stemmer } from 'stemmer';

/**
 * The text analysis behind search, approximating Anserini's default English analyzer (what upstream's
 * Lucene index used): Unicode word tokens, possessive "'s" removed, lower-cased, Lucene's 33 English
 * stop words dropped, Porter-stemmed.
 *
 * Tokens follow the Unicode word-break rules closely enough for product text: letters and digits run
 * together ("12oz"); "." and apostrophes join letter-letter and digit-digit ("u.s", "3.5", "don't");
 * ":" joins letters; "," and ";" join digits ("1,000"); anything else splits ("x-large" is x, large).
 */

/** Lucene's English stop words (EnglishAnalyzer's default set). */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it',
  'no', 'not', 'of', 'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they',
  'this', 'to', 'was', 'will', 'with',
]);

const RUN = /[\p{L}\p{N}\p{M}_]+(?:[.,;:'\u2019][\p{L}\p{N}\p{M}_]+)*/gu;
const LETTER = /[\p{L}\p{M}_]/u;
const DIGIT = /\p{N}/u;

/** Splits a candidate run at joiners whose neighbours don't allow joining. */
function splitRun(run: string, out: string[]): void {
  let start = 0;
  for (let i = 1; i < run.length - 1; i += 1) {
    const joiner = run[i]!;
    if (!'.,;:\'\u2019'.includes(joiner)) continue;
    const left = run[i - 1]!;
    const right = run[i + 1]!;
    const letters = LETTER.test(left) && LETTER.test(right);
    const digits = DIGIT.test(left) && DIGIT.test(right);
    const joins = joiner === ':' ? letters : joiner === ',' || joiner === ';' ? digits : letters || digits;
    if (!joins) {
      out.push(run.slice(start, i));
      start = i + 1;
    }
  }
  out.push(run.slice(start));
}

/** Word tokens of `text`, before lower-casing and filtering. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const match of text.matchAll(RUN)) {
    const run = match[0];
    if (/[.,;:'\u2019]/.test(run)) splitRun(run, tokens);
    else tokens.push(run);
  }
  return tokens;
}

/** Analyses text into index terms. One instance caches stems, so share it between index and queries. */
export class Analyzer {
  readonly #stems = new Map<string, string>();

  terms(text: string): string[] {
    const terms: string[] = [];
    for (const token of tokenize(text)) {
      let word = token.toLowerCase();
      if (word.endsWith("'s") || word.endsWith('\u2019s')) word = word.slice(0, -2);
      if (word.length === 0 || STOP_WORDS.has(word)) continue;
      let stem = this.#stems.get(word);
      if (stem === undefined) {
        stem = stemmer(word);
        this.#stems.set(word, stem);
      }
      terms.push(stem);
    }
    return terms;
  }
}
