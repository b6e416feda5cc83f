import { Catalogue, productFromRecord, type Product, type RawProduct } from '../../../src/envs/webshop/catalogue.js';
import { WebshopEnvironment } from '../../../src/envs/webshop/environment.js';
import type { Goal } from '../../../src/envs/webshop/goals.js';

/** A small hand-made catalogue: four products whose pages and rankings the tests can work out by hand. */
export const RECORDS: RawProduct[] = [
  {
    asin: 'B0SHIRT001',
    name: 'Northvale Slim Fit Dress Shirt',
    full_description: 'A slim fit dress shirt, long sleeve, machine wash.',
    small_description: ['Slim fit: tailored cut', 'Long sleeve with button cuffs'],
    pricing: '$24.99',
    customization_options: {
      Color: [{ value: 'White' }, { value: 'Dark Brown' }, { value: 'Navy/White' }],
      Size: [{ value: 'Large' }, { value: 'X-Large' }],
    },
    product_category: 'Clothing, Shoes & Jewelry \u203a Men \u203a Clothing \u203a Shirts',
    query: "Men's Dress Shirts ",
    category: 'fashion',
  },
  {
    asin: 'B0SHIRT002',
    name: 'Kestrel Oxford Shirt',
    full_description: 'Oxford cotton shirt.',
    small_description: 'Button down collar',
    pricing: '$30.00 - $40.00',
    customization_options: { Size: [{ value: 'Medium' }, { value: 'Large' }] },
    product_category: 'Clothing, Shoes & Jewelry \u203a Men \u203a Clothing \u203a Shirts',
    query: "men's dress shirts",
    category: 'fashion',
  },
  {
    asin: 'B0OIL00003',
    name: 'Lumora Tea Tree Essential Oil',
    full_description: 'Therapeutic grade tea tree oil.',
    small_description: ['Natural ingredients'],
    pricing: '',
    customization_options: '',
    product_category: 'Beauty & Personal Care \u203a Fragrance \u203a Essential Oils',
    query: 'essential oils',
    category: 'beauty',
  },
  {
    asin: 'B0TEA00004',
    name: 'Pinecrest Green Tea Bags',
    full_description: null,
    small_description: [],
    pricing: '$5.5',
    customization_options: { 'Flavor Name': [{ value: 'Jasmine' }, { value: 'Mint' }], Style: [{ value: 'Mint' }] },
    product_category: 'Grocery & Gourmet Food \u203a Beverages \u203a Tea',
    query: 'green tea',
    category: 'grocery',
  },
];

export const ATTRIBUTES: Record<string, { attributes: string[] }> = {
  B0SHIRT001: { attributes: ['slim fit', 'machine wash'] },
  B0OIL00003: { attributes: ['tea tree', 'natural ingredients'] },
};

export function smallProducts(): Product[] {
  return RECORDS.map((record) => productFromRecord(record, ATTRIBUTES[record.asin!])!);
}

export function smallCatalogue(): Catalogue {
  return new Catalogue({ products: smallProducts(), prices: { B0SHIRT002: 35 } });
}

export const GOALS: Goal[] = [
  {
    asin: 'B0SHIRT001',
    instruction: 'i want a slim fit dress shirt in dark brown, size x-large, and price lower than 40.00 dollars',
    attributes: ['slim fit'],
    goalOptions: ['dark brown', 'x-large'],
    priceUpper: 40,
  },
  {
    asin: 'B0OIL00003',
    instruction: 'tea tree essential oil with natural ingredients',
    attributes: ['tea tree', 'natural ingredients'],
    goalOptions: [],
    priceUpper: 1_000_000,
  },
];

export function smallEnvironment(): WebshopEnvironment {
  return new WebshopEnvironment({ catalogue: smallCatalogue(), goals: GOALS });
}
