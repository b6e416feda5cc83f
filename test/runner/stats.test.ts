import { describe, expect, it } from 'vitest';
import { confidenceInterval95, passAtK, passHatK, permutationPValue } from '../../src/runner/stats.js';

describe('pass@k and pass^k', () => {
  it('match the closed forms on hand-worked cases', () => {
    expect(passAtK(5, 2, 1)).toBeCloseTo(0.4);
    expect(passAtK(5, 2, 2)).toBeCloseTo(1 - 3 / 10); // 1 - C(3,2)/C(5,2)
    expect(passAtK(5, 0, 5)).toBe(0);
    expect(passAtK(5, 1, 5)).toBe(1);
    expect(passHatK(5, 5, 5)).toBe(1);
    expect(passHatK(5, 4, 5)).toBe(0);
    expect(passHatK(5, 4, 2)).toBeCloseTo(6 / 10); // C(4,2)/C(5,2)
    expect(passHatK(0, 0, 1)).toBe(0);
  });
});

describe('confidenceInterval95', () => {
  it('is a t interval clamped to [0, 1]', () => {
    const [low, high] = confidenceInterval95([0.5, 0.7, 0.6]);
    // mean 0.6, sd 0.1, t(2) = 4.303: 0.6 ± 4.303 * 0.1 / sqrt(3)
    expect(low).toBeCloseTo(0.6 - (4.303 * 0.1) / Math.sqrt(3), 6);
    expect(high).toBeCloseTo(0.6 + (4.303 * 0.1) / Math.sqrt(3), 6);
    expect(confidenceInterval95([1, 1, 0])[1]).toBe(1);
    expect(confidenceInterval95([0.3])).toEqual([0.3, 0.3]);
  });
});

describe('permutationPValue', () => {
  it("equals Fisher's exact test for 0/1 rewards", () => {
    // 3/3 passes before, 0/3 after: one table in C(6,3) = 20 is as extreme
    expect(permutationPValue([1, 1, 1], [0, 0, 0])).toBeCloseTo(1 / 20);
    // 5/5 vs 2/5: hypergeometric tail P(X >= 5 | N=10, K=7, n=5) = C(7,5)/C(10,5) = 21/252
    expect(permutationPValue([1, 1, 1, 1, 1], [1, 1, 0, 0, 0])).toBeCloseTo(21 / 252);
  });

  it('cannot call one trial per side significant, and is 1 with no difference', () => {
    expect(permutationPValue([1], [0])).toBe(0.5);
    expect(permutationPValue([0.5, 0.5], [0.5, 0.5])).toBe(1);
  });

  it('uses a seeded Monte Carlo past the exact limit, repeatably', () => {
    const before = Array.from({ length: 30 }, (_, k) => (k % 10) / 10 + 0.05);
    const after = before.map((value) => value - 0.3);
    const p = permutationPValue(before, after);
    expect(p).toBeLessThan(0.01);
    expect(permutationPValue(before, after)).toBe(p);
  });
});
