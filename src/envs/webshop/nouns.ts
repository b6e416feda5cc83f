/**
 * Title nouns for the type reward. Upstream tags product names with spaCy and keeps NOUN and PROPN
 * tokens; we have no tagger, so this is a documented approximation: split the name into words (runs
 * of letters and digits, so "x-large" is "x" and "large" and "women's" is "women"), lower-case them,
 * and keep every word of two or more characters that has a letter and is not a closed-class word
 * (article, preposition, conjunction, pronoun, auxiliary, common modifier).
 *
 * Why this is close on real data: product names are written in Title Case, which spaCy's small model
 * tags mostly as PROPN, so nearly every content word counts as a noun upstream too. It is further
 * off on lower-case names, where spaCy would drop adjectives and verbs.
 */

const CLOSED_CLASS = new Set(
  (
    'a an the this that these those some any each every all both either neither no not nor ' +
    'and or but so yet if then than as because while when where whether ' +
    'of in on at by for with without within into onto upon from to up down out off over under ' +
    'about above below across after against along among around before behind beneath beside ' +
    'besides between beyond during except inside near outside per since through throughout ' +
    'till toward towards until via versus vs amid ' +
    'i me my mine we us our ours you your yours he him his she her hers it its they them their ' +
    'theirs who whom whose which what myself yourself itself ourselves themselves ' +
    'is am are was were be been being do does did done have has had having will would shall ' +
    'should can could may might must ' +
    'very too also just only more most less least much many few such own same other another ' +
    'new best great extra super ultra'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}]+/gu;
const HAS_LETTER = /\p{L}/u;

/** The approximate noun list of a product name, duplicates kept (the score divides by its length). */
export function titleNouns(name: string): string[] {
  const nouns: string[] = [];
  for (const match of name.matchAll(WORD)) {
    const word = match[0].toLowerCase();
    if (word.length >= 2 && HAS_LETTER.test(word) && !CLOSED_CLASS.has(word)) nouns.push(word);
  }
  return nouns;
}
