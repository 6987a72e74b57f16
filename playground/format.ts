/** Number formats of the page; plain digits, no locale, so that the page reads the same everywhere. */

/** A cost or total (cents per hour) to at most two decimals, e.g. 12345.5 */
export function formatCost(cents: number): string {
  return String(Number(cents.toFixed(2)));
}

/** A latency in ms, to one decimal */
export function formatMs(ms: number): string {
  return ms.toFixed(1);
}

/** A rate, to at most two decimals */
export function formatRate(rate: number): string {
  return String(Number(rate.toFixed(2)));
}
