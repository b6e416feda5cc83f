import { Analyzer } from './analyzer.js';

/**
 * BM25 search over product documents, shaped after upstream's Lucene index (Anserini defaults):
 * k1 = 0.9, b = 0.4, idf = ln(1 + (N - n + 0.5) / (n + 0.5)), a bag-of-words query where a repeated
 * query term weighs once per repetition, document lengths kept the lossy Lucene way (exact below 24,
 * then 4 significant bits), scores summed in 32-bit floats, and ties broken by document id ascending.
 * Exact score parity with Lucene is not a goal; the ranking is deterministic.
 */

export const BM25_K1 = 0.9;
export const BM25_B = 0.4;

/** A term's postings: document numbers ascending, with the term's frequency in each. */
interface Postings {
  docs: Int32Array;
  freqs: Uint16Array;
}

/** Document lengths the way Lucene's norms keep them: exact below 24, then the top 4 significant bits. */
export function quantizedLength(length: number): number {
  const exact = 24;
  if (length < exact) return length;
  const rest = length - exact;
  const bits = 32 - Math.clz32(rest);
  if (bits <= 4) return length;
  const shift = bits - 4;
  return exact + ((rest >>> shift) << shift);
}

export interface SearchIndexOptions {
  /** Document ids (ASINs) in index order; the tie-break order compares them as strings. */
  ids: readonly string[];
  /** Document text by index; called once per document while building. */
  text: (index: number) => string;
  /** Shared analyzer (its stem cache is reused by queries). */
  analyzer?: Analyzer;
}

export class SearchIndex {
  readonly analyzer: Analyzer;
  readonly #ids: readonly string[];
  readonly #postings = new Map<string, Postings>();
  /** Per document: k1 x (1 - b + b x length / average length), precomputed. */
  readonly #lengthNorm: Float32Array;
  /** Scratch score accumulator, reused by every query (search is synchronous). */
  readonly #scores: Float32Array;
  readonly #touched: Int32Array;

  constructor(options: SearchIndexOptions) {
    this.analyzer = options.analyzer ?? new Analyzer();
    this.#ids = options.ids;
    const count = options.ids.length;
    const lengths = new Int32Array(count);
    const building = new Map<string, { docs: number[]; freqs: number[] }>();
    let totalLength = 0;
    for (let doc = 0; doc < count; doc += 1) {
      const terms = this.analyzer.terms(options.text(doc));
      lengths[doc] = terms.length;
      totalLength += terms.length;
      const counts = new Map<string, number>();
      for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
      for (const [term, freq] of counts) {
        let list = building.get(term);
        if (!list) {
          list = { docs: [], freqs: [] };
          building.set(term, list);
        }
        list.docs.push(doc);
        list.freqs.push(Math.min(freq, 0xffff));
      }
    }
    for (const [term, list] of building) {
      this.#postings.set(term, { docs: Int32Array.from(list.docs), freqs: Uint16Array.from(list.freqs) });
    }
    const average = count > 0 ? totalLength / count : 1;
    this.#lengthNorm = new Float32Array(count);
    for (let doc = 0; doc < count; doc += 1) {
      this.#lengthNorm[doc] = BM25_K1 * (1 - BM25_B + (BM25_B * quantizedLength(lengths[doc]!)) / average);
    }
    this.#scores = new Float32Array(count);
    this.#touched = new Int32Array(count);
  }

  /** Indexes of the best `limit` documents for `query`, best first. An empty result when no term matches. */
  search(query: string, limit: number): number[] {
    if (limit <= 0) return [];
    const weights = new Map<string, number>();
    for (const term of this.analyzer.terms(query)) weights.set(term, (weights.get(term) ?? 0) + 1);
    const scores = this.#scores;
    const touched = this.#touched;
    let touchedCount = 0;
    const count = this.#ids.length;
    for (const [term, boost] of weights) {
      const postings = this.#postings.get(term);
      if (!postings) continue;
      const n = postings.docs.length;
      const idf = Math.fround(Math.log(1 + (count - n + 0.5) / (n + 0.5)));
      const weight = Math.fround(boost * idf);
      for (let k = 0; k < n; k += 1) {
        const doc = postings.docs[k]!;
        const freq = postings.freqs[k]!;
        if (scores[doc] === 0) touched[touchedCount++] = doc;
        scores[doc] = scores[doc]! + Math.fround((weight * freq) / (freq + this.#lengthNorm[doc]!));
      }
    }
    const ids = this.#ids;
    // a before b: higher score, then smaller id, then earlier in the index
    const before = (a: number, b: number): boolean =>
      scores[a]! !== scores[b]! ? scores[a]! > scores[b]! : ids[a]! !== ids[b]! ? ids[a]! < ids[b]! : a < b;
    // keep the best `limit` in order while scanning: cheap for the small limits search uses (50)
    const top: number[] = [];
    for (let k = 0; k < touchedCount; k += 1) {
      const doc = touched[k]!;
      if (top.length === limit && !before(doc, top[limit - 1]!)) continue;
      let low = 0;
      let high = top.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (before(top[middle]!, doc)) low = middle + 1;
        else high = middle;
      }
      top.splice(low, 0, doc);
      if (top.length > limit) top.pop();
    }
    for (let k = 0; k < touchedCount; k += 1) scores[touched[k]!] = 0;
    return top;
  }
}
