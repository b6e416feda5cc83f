/**
 * Statistics for trials and baselines. Small, exact and dependency-free: pass@k / pass^k estimators,
 * a t confidence interval, and an exact (or seeded Monte Carlo) permutation test.
 */
import { seededRandom } from '../seeded-random.js';

/** C(n, k) as a float; exact for the sizes trials reach. */
function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let result = 1;
  for (let i = 1; i <= Math.min(k, n - k); i += 1) result = (result * (n - Math.min(k, n - k) + i)) / i;
  return result;
}

/** Unbiased pass@k from n trials with c passes: the chance that at least one of k draws passes. */
export function passAtK(n: number, c: number, k: number): number {
  if (n <= 0 || k <= 0) return 0;
  if (n - c < k) return 1;
  return 1 - choose(n - c, k) / choose(n, k);
}

/** pass^k from n trials with c passes: the chance that all of k draws (without replacement) pass. */
export function passHatK(n: number, c: number, k: number): number {
  if (n <= 0 || k <= 0 || k > n) return 0;
  return choose(c, k) / choose(n, k);
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : 0;
}

/** Sample variance (n - 1). */
function variance(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return values.reduce((sum, value) => sum + (value - m) ** 2, 0) / (values.length - 1);
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom; the normal value beyond. */
const T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** 95% t confidence interval of the mean, clamped to [0, 1] (rewards live there). */
export function confidenceInterval95(values: readonly number[]): [number, number] {
  const m = mean(values);
  if (values.length < 2) return [m, m];
  const t = T_975[values.length - 2] ?? 1.96;
  const half = t * Math.sqrt(variance(values) / values.length);
  return [Math.max(0, m - half), Math.min(1, m + half)];
}

const EXACT_LIMIT = 20_000;
const RESAMPLES = 20_000;

/**
 * One-sided permutation test that `lower` has a smaller mean than `higher`: the share of the
 * relabellings of the pooled values whose mean difference is at least the observed one. Exact when
 * the relabellings number at most 20,000, else Monte Carlo with 20,000 seeded resamples. For 0/1
 * rewards this is Fisher's exact test.
 */
export function permutationPValue(higher: readonly number[], lower: readonly number[]): number {
  const n1 = higher.length;
  const n2 = lower.length;
  if (n1 === 0 || n2 === 0) return 1;
  const pooled = [...higher, ...lower];
  const total = pooled.reduce((sum, value) => sum + value, 0);
  const observed = mean(higher) - mean(lower);
  const epsilon = 1e-12;
  const differenceOf = (sumHigher: number) => sumHigher / n1 - (total - sumHigher) / n2;

  if (choose(n1 + n2, n1) <= EXACT_LIMIT) {
    let atLeast = 0;
    let count = 0;
    const walk = (start: number, left: number, sum: number): void => {
      if (left === 0) {
        count += 1;
        if (differenceOf(sum) >= observed - epsilon) atLeast += 1;
        return;
      }
      for (let i = start; i <= pooled.length - left; i += 1) walk(i + 1, left - 1, sum + pooled[i]!);
    };
    walk(0, n1, 0);
    return atLeast / count;
  }
  const random = seededRandom(0x5eed);
  const shuffled = [...pooled];
  let atLeast = 0;
  for (let r = 0; r < RESAMPLES; r += 1) {
    for (let i = shuffled.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    let sum = 0;
    for (let i = 0; i < n1; i += 1) sum += shuffled[i]!;
    if (differenceOf(sum) >= observed - epsilon) atLeast += 1;
  }
  return (atLeast + 1) / (RESAMPLES + 1);
}
