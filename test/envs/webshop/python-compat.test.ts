import { describe, expect, it } from 'vitest';
import { parseDecimal, pyFloat, pyJsonDumps, pyStrRepr, pyStripChars, pyTupleRepr, roundHalfEven } from '../../../src/envs/webshop/python-format.js';
import { pythonShuffle } from '../../../src/envs/python-random.js';

describe('Python formatting', () => {
  it('prints floats as repr does', () => {
    expect(pyFloat(100)).toBe('100.0');
    expect(pyFloat(24.49)).toBe('24.49');
    expect(pyFloat(0)).toBe('0.0');
    expect(pyFloat(1 / 30)).toBe('0.03333333333333333');
    expect(pyFloat(0.75)).toBe('0.75');
    expect(pyFloat(1e16)).toBe('1e+16');
    expect(pyFloat(0.00001)).toBe('1e-05');
    expect(pyFloat(123456789012345.0)).toBe('123456789012345.0');
  });

  it('rounds half to even', () => {
    expect([0.5, 1.5, 2.5, 62.5, 37.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 62, 38, 2, 3]);
  });

  it('writes string and tuple reprs', () => {
    expect(pyStrRepr('large')).toBe("'large'");
    expect(pyStrRepr("women's")).toBe('"women\'s"');
    expect(pyStrRepr('a\\b\n')).toBe("'a\\\\b\\n'");
    expect(pyStrRepr('x\u00a0y')).toBe("'x\\xa0y'");
    expect(pyTupleRepr(['size', 'large'])).toBe("('size', 'large')");
    expect(pyTupleRepr(['one'])).toBe("('one',)");
  });

  it('dumps JSON the way json.dumps does (spacing, ensure_ascii)', () => {
    expect(pyJsonDumps({ color: 'natural khaki', size: '12 plus' })).toBe('{"color": "natural khaki", "size": "12 plus"}');
    expect(pyJsonDumps({})).toBe('{}');
    expect(pyJsonDumps({ a: '\u007f\u00e9\u{1f600}"\\' })).toBe('{"a": "\\u007f\\u00e9\\ud83d\\ude00\\"\\\\"}');
  });

  it('strips characters from both ends and parses decimals', () => {
    expect(pyStripChars('..find me soap.', '.')).toBe('find me soap');
    expect(parseDecimal('24.49')).toBe(24.49);
    expect(parseDecimal('.5')).toBe(0.5);
    expect(parseDecimal('')).toBeUndefined();
    expect(parseDecimal('1.2.3')).toBeUndefined();
  });
});

describe('pythonShuffle (CPython random.seed + random.shuffle)', () => {
  // expected lists printed by CPython 3.11: random.seed(s); l = list(range(n)); random.shuffle(l)
  it('matches CPython for seed 233', () => {
    expect(pythonShuffle([...Array(10).keys()], 233)).toEqual([5, 9, 0, 1, 4, 7, 6, 3, 8, 2]);
    expect(pythonShuffle([...Array(37).keys()], 233).slice(0, 12)).toEqual([16, 6, 32, 18, 34, 36, 24, 12, 31, 23, 28, 20]);
    expect(pythonShuffle([...Array(1000).keys()], 233).slice(0, 12)).toEqual([127, 320, 431, 331, 760, 454, 129, 769, 485, 270, 689, 918]);
  });

  it('matches CPython for a seed wider than 32 bits', () => {
    expect(pythonShuffle([...Array(20).keys()], 2 ** 40 + 5)).toEqual([9, 7, 17, 13, 4, 18, 5, 6, 10, 11, 3, 14, 12, 15, 2, 1, 0, 8, 19, 16]);
  });

  it('leaves short lists alone', () => {
    expect(pythonShuffle([], 233)).toEqual([]);
    expect(pythonShuffle(['a'], 233)).toEqual(['a']);
  });
});
