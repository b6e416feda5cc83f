import { titleNouns } from './nouns.js';
import { parseDecimal, pyFloat } from './python-format.js';
import type { RewardProduct } from './reward.js';
import { seededRandom } from '../../seeded-random.js';

/**
 * The product catalogue: upstream's scraped records turned into the products the pages show, the
 * search indexes and the reward reads (upstream `load_products`), plus each product's purchase price.
 */

/** One record of upstream's `items_shuffle*.json` (the fields we read; others are ignored). */
export interface RawProduct {
  asin?: string;
  name?: string | null;
  full_description?: string | null;
  small_description?: readonly string[] | string | null;
  pricing?: string | null;
  customization_options?: Readonly<Record<string, readonly RawOptionValue[] | null>> | string | null;
  product_category?: string | null;
  query?: string | null;
  category?: string | null;
}

export interface RawOptionValue {
  value: string;
  image?: string | null;
}

/** One entry of upstream's `items_ins_v2*.json`, keyed by ASIN. */
export interface RawAttributes {
  attributes?: readonly string[];
  instruction?: string | null;
  instruction_attributes?: readonly string[] | null;
}

export interface ProductOption {
  /** Lower-cased option name, e.g. "color". */
  name: string;
  /** Lower-cased values with "/" written as " | ", in the record's order. */
  values: readonly string[];
}

export interface Product {
  readonly asin: string;
  /** The record's `name` (upstream `Title`). */
  readonly title: string;
  readonly description: string;
  readonly bulletPoints: readonly string[];
  /** The listed price, or the two ends of a price range; [100] when the record has none. */
  readonly pricing: readonly number[];
  /** The price as pages show it: `$24.49` or `$24.49 to $39.99`. */
  readonly priceTag: string;
  readonly options: readonly ProductOption[];
  /** Mined attributes, or `["DUMMY_ATTR"]` when the attribute file has none for this product. */
  readonly attributes: readonly string[];
  readonly category: string;
  /** Lower-cased, stripped scrape query. */
  readonly query: string;
  readonly productCategory: string;
}

const DEFAULT_PRICE = 100.0;

/** Parses upstream's pricing text: each "$"-separated part stripped to digits and "."; at most two kept. */
export function parsePricing(pricing: string | null | undefined): { pricing: number[]; priceTag: string } {
  if (!pricing) return { pricing: [DEFAULT_PRICE], priceTag: `$${pyFloat(DEFAULT_PRICE)}` };
  const values: number[] = [];
  for (const part of pricing.split('$').slice(1)) {
    const value = parseDecimal(part.replace(/[^\d.]/g, ''));
    if (value !== undefined) values.push(value);
  }
  if (values.length === 0) return { pricing: [DEFAULT_PRICE], priceTag: `$${pyFloat(DEFAULT_PRICE)}` };
  if (values.length === 1) return { pricing: values, priceTag: `$${pyFloat(values[0]!)}` };
  return { pricing: values.slice(0, 2), priceTag: `$${pyFloat(values[0]!)} to $${pyFloat(values[1]!)}` };
}

function optionsOf(raw: RawProduct['customization_options']): ProductOption[] {
  if (!raw || typeof raw !== 'object') return [];
  const options: ProductOption[] = [];
  for (const [name, contents] of Object.entries(raw)) {
    if (!Array.isArray(contents)) continue;
    const values = (contents as readonly RawOptionValue[]).map((content) =>
      String(content.value ?? '').trim().replaceAll('/', ' | ').toLowerCase(),
    );
    options.push({ name: name.toLowerCase(), values });
  }
  return options;
}

function bulletPointsOf(raw: RawProduct['small_description']): string[] {
  if (Array.isArray(raw)) return raw.map((bullet) => String(bullet ?? ''));
  return typeof raw === 'string' ? [raw] : [];
}

/** Upstream's record filter: an ASIN is kept when present, not "nan" and at most 10 characters. */
function isValidAsin(asin: unknown): asin is string {
  return typeof asin === 'string' && asin.length > 0 && asin !== 'nan' && asin.length <= 10;
}

/** Turns one raw record into a product; undefined for records upstream skips. */
export function productFromRecord(record: RawProduct, attributes: RawAttributes | undefined): Product | undefined {
  if (!isValidAsin(record.asin)) return undefined;
  const { pricing, priceTag } = parsePricing(record.pricing);
  return {
    asin: record.asin,
    title: record.name ?? '',
    description: record.full_description ?? '',
    bulletPoints: bulletPointsOf(record.small_description),
    pricing,
    priceTag,
    options: optionsOf(record.customization_options),
    attributes: attributes?.attributes ? [...attributes.attributes] : ['DUMMY_ATTR'],
    category: record.category ?? '',
    query: (record.query ?? '').toLowerCase().trim(),
    productCategory: record.product_category ?? '',
  };
}

/** The text upstream indexes for a product: lower-cased title, description, first bullet and options. */
export function searchDocument(product: Product): string {
  const optionText = product.options.map((option) => `${option.name}: ${option.values.join(', ')}`).join(', and ');
  return [product.title, product.description, product.bulletPoints[0] ?? '', optionText].join(' ').toLowerCase();
}

/** FNV-1a, for seeding per-product draws from the ASIN. */
function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A product's purchase price: its listed price, or for a price range a uniform draw in the range.
 * Upstream draws afresh on every load; we draw from a generator seeded by the ASIN, and goal files
 * freeze the drawn prices so runs repeat even if this draw ever changes.
 */
export function drawPrice(product: Product): number {
  if (product.pricing.length < 2) return product.pricing[0] ?? DEFAULT_PRICE;
  const [low, high] = product.pricing as [number, number];
  return low + (high - low) * seededRandom(hashOf(product.asin))();
}

export interface CatalogueOptions {
  products: readonly Product[];
  /** Frozen purchase prices by ASIN; products not listed get `drawPrice`. */
  prices?: Readonly<Record<string, number>>;
}

/** The loaded products, shared by every instance: lookups, purchase prices, and title nouns (computed once). */
export class Catalogue {
  readonly products: readonly Product[];
  readonly #byAsin = new Map<string, number>();
  readonly #prices: Float64Array;
  readonly #nouns: (readonly string[] | undefined)[];

  constructor(options: CatalogueOptions) {
    this.products = options.products;
    this.#prices = new Float64Array(this.products.length);
    this.products.forEach((product, index) => {
      this.#byAsin.set(product.asin, index);
      this.#prices[index] = options.prices?.[product.asin] ?? drawPrice(product);
    });
    this.#nouns = new Array<readonly string[] | undefined>(this.products.length);
  }

  get size(): number {
    return this.products.length;
  }

  /** The product index of an ASIN (exact spelling), or undefined. */
  indexOf(asin: string): number | undefined {
    return this.#byAsin.get(asin);
  }

  product(index: number): Product {
    const product = this.products[index];
    if (!product) throw new RangeError(`No product at index ${index} (catalogue size ${this.products.length})`);
    return product;
  }

  /** The purchase price the reward compares with the goal's ceiling. */
  price(index: number): number {
    return this.#prices[index]!;
  }

  /** Title nouns for the type reward, computed on first use and kept. */
  nouns(index: number): readonly string[] {
    let nouns = this.#nouns[index];
    if (!nouns) {
      nouns = titleNouns(this.product(index).title);
      this.#nouns[index] = nouns;
    }
    return nouns;
  }

  /** The product as the reward reads it. */
  rewardProduct(index: number): RewardProduct {
    const product = this.product(index);
    return { ...product, nouns: this.nouns(index) };
  }

  /** Frozen prices of range-priced products (the only ones that are drawn). */
  drawnPrices(): Record<string, number> {
    const prices: Record<string, number> = {};
    this.products.forEach((product, index) => {
      if (product.pricing.length >= 2) prices[product.asin] = this.#prices[index]!;
    });
    return prices;
  }
}

/** Builds products from raw records in file order, skipping invalid and duplicate ASINs as upstream does. */
export async function productsFromRecords(
  records: Iterable<RawProduct> | AsyncIterable<RawProduct>,
  attributes: Readonly<Record<string, RawAttributes>>,
): Promise<Product[]> {
  const seen = new Set<string>();
  const products: Product[] = [];
  // records may stream from a multi-gigabyte file, so each is converted (and dropped) as it arrives
  for await (const record of records) {
    const asin = record.asin;
    if (!isValidAsin(asin) || seen.has(asin)) continue;
    seen.add(asin);
    const product = productFromRecord(record, Object.hasOwn(attributes, asin) ? attributes[asin] : undefined);
    if (product) products.push(product);
  }
  return products;
}
