import { describe, expect, it } from 'vitest';
import { Catalogue, drawPrice, parsePricing, productsFromRecords, searchDocument } from '../../../src/envs/webshop/catalogue.js';
import { ATTRIBUTES, RECORDS, smallCatalogue, smallProducts } from './helpers.js';

describe('parsePricing', () => {
  it('reads a price, a range, and nothing', () => {
    expect(parsePricing('$877.80')).toEqual({ pricing: [877.8], priceTag: '$877.8' });
    expect(parsePricing('$24.49 - $39.99')).toEqual({ pricing: [24.49, 39.99], priceTag: '$24.49 to $39.99' });
    expect(parsePricing('$1,299.00')).toEqual({ pricing: [1299], priceTag: '$1299.0' });
    expect(parsePricing('$1 - $2 - $3')).toEqual({ pricing: [1, 2], priceTag: '$1.0 to $2.0' });
    expect(parsePricing('')).toEqual({ pricing: [100], priceTag: '$100.0' });
    expect(parsePricing(null)).toEqual({ pricing: [100], priceTag: '$100.0' });
  });
});

describe('products from upstream records', () => {
  it('derives title, bullets, lower-cased options with "/" as " | ", attributes and query', () => {
    const [shirt, oxford, oil, tea] = smallProducts();
    expect(shirt).toMatchObject({
      asin: 'B0SHIRT001',
      title: 'Northvale Slim Fit Dress Shirt',
      priceTag: '$24.99',
      options: [
        { name: 'color', values: ['white', 'dark brown', 'navy | white'] },
        { name: 'size', values: ['large', 'x-large'] },
      ],
      attributes: ['slim fit', 'machine wash'],
      query: "men's dress shirts",
    });
    expect(oxford!.bulletPoints).toEqual(['Button down collar']);
    expect(oxford!.attributes).toEqual(['DUMMY_ATTR']);
    expect(oil!.options).toEqual([]);
    expect(oil!.priceTag).toBe('$100.0');
    expect(tea!.description).toBe('');
    expect(tea!.bulletPoints).toEqual([]);
  });

  it('skips records with a missing, "nan", too long or repeated ASIN', async () => {
    const records = [...RECORDS, { ...RECORDS[0]!, name: 'duplicate' }, { asin: 'nan' }, { asin: 'B0TOOLONG123' }, { name: 'no asin' }];
    const products = await productsFromRecords(records, ATTRIBUTES);
    expect(products.map((product) => product.asin)).toEqual(['B0SHIRT001', 'B0SHIRT002', 'B0OIL00003', 'B0TEA00004']);
    expect(products[0]!.title).toBe('Northvale Slim Fit Dress Shirt');
  });

  it('indexes the lower-cased title, description, first bullet and option text', () => {
    expect(searchDocument(smallProducts()[0]!)).toBe(
      'northvale slim fit dress shirt a slim fit dress shirt, long sleeve, machine wash. slim fit: tailored cut color: white, dark brown, navy | white, and size: large, x-large',
    );
  });
});

describe('Catalogue', () => {
  it('prices: listed, frozen for a range, drawn in the range otherwise, 100 without a price', () => {
    const catalogue = smallCatalogue();
    expect(catalogue.price(0)).toBe(24.99);
    expect(catalogue.price(1)).toBe(35);
    expect(catalogue.price(2)).toBe(100);
    const unfrozen = new Catalogue({ products: smallProducts() });
    const drawn = unfrozen.price(1);
    expect(drawn).toBeGreaterThanOrEqual(30);
    expect(drawn).toBeLessThanOrEqual(40);
    expect(drawPrice(smallProducts()[1]!)).toBe(drawn);
    expect(unfrozen.drawnPrices()).toEqual({ B0SHIRT002: drawn });
  });

  it('looks products up by exact ASIN and keeps their nouns', () => {
    const catalogue = smallCatalogue();
    expect(catalogue.indexOf('B0OIL00003')).toBe(2);
    expect(catalogue.indexOf('b0oil00003')).toBeUndefined();
    expect(catalogue.nouns(2)).toEqual(['lumora', 'tea', 'tree', 'essential', 'oil']);
    expect(catalogue.nouns(2)).toBe(catalogue.nouns(2));
    expect(() => catalogue.product(99)).toThrow(RangeError);
  });
});
