/** How the page writes numbers and allocations: plain digits, no locale, so that it reads the same everywhere. */

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

/**
 * Requests per second one replica takes: often well below 1, so three significant digits there
 * (0.0123), and at most two decimals from 1 up.
 */
export function formatReplicaRate(rate: number): string {
  return Math.abs(rate) >= 1 ? formatRate(rate) : String(Number(rate.toPrecision(3)));
}

/** A fraction as a percentage, to at most two decimals, e.g. 0.00125 as 0.13% */
export function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

/** Replicas split across accelerators, as the allocation lists them, e.g. "2 × A100 + 2 × G2" */
export function formatPlacements(placements: readonly { accelerator: string; numReplicas: number }[]): string {
  return placements.map((placement) => `${placement.numReplicas} × ${placement.accelerator}`).join(' + ');
}
