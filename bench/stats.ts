/** How the bench summarises repeated runs. */

/** The runs of a case: the median (of an even count, the mean of the middle two), the fastest and the slowest. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const middleValue = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median: middleValue, min: sorted[0], max: sorted[sorted.length - 1] };
}

export function median(values: readonly number[]): number {
  return spread(values).median;
}
