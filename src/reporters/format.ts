/** Number and duration formats shared by the HTML and GitHub reports. */

/** A reward or other score: at most three decimals, no trailing zeros (`0.5`, `0.417`, `1`). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Math.round(value * 1000) / 1000);
}

/** A share as a percentage with one decimal (`33.3%`). */
export function formatPercent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/** A duration for people: `15 ms`, `3.2 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A p-value, with tiny ones shown as a bound. */
export function formatPValue(p: number): string {
  return p < 0.001 ? '<0.001' : formatNumber(p);
}
