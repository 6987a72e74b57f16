/**
 * Sizing a replica for one latency target: the largest request rate in the analyzer's stable
 * range at which the metric stays within the target.
 */

/** A metric within this (relative) of its target meets it: equality is met, float noise too. */
const MET_TOLERANCE = 1e-9;
/** A metric that grows less than this (relative) over the whole range does not change with the load. */
const FLAT_METRIC = 1e-9;
/** Root finding stops when the metric is this close to its target (relative)... */
const TARGET_TOLERANCE = 1e-10;
/** ...or the rate is pinned down this closely (relative). */
const RATE_TOLERANCE = 1e-12;
const MAX_ROOT_ITERATIONS = 200;

export interface RateRange {
  /** lowest and highest rate searched (any unit) */
  min: number;
  max: number;
  /** the metric there */
  atMin: number;
  atMax: number;
}

/**
 * The largest rate in `range` whose `metric` meets `target`, or why there is none.
 *
 * A metric that meets its target at the top of the range constrains nothing (the top is taken),
 * one that misses it at the bottom cannot be met. So a metric that does not change with the
 * load (batch size 1, or no per-request cost) is met or missed at every rate alike. In between
 * the crossing is found by the Illinois variant of regula falsi, always bracketed.
 */
export function largestRateMeeting(
  name: string,
  target: number,
  metric: (rate: number) => number,
  range: RateRange,
): number | string {
  const met = target * (1 + MET_TOLERANCE);
  if (range.atMax <= met) return range.max;
  if (range.atMin > met) {
    // A metric that does not change with the load misses its target at every load: say so.
    const flat = range.atMax - range.atMin <= FLAT_METRIC * Math.abs(range.atMin);
    const where = flat ? 'every load (it does not change with the load)' : 'the lowest load';
    return `${name} target ${target} ms is below ${round(range.atMin)} ms, its value at ${where}`;
  }
  if (range.atMin >= target) return range.min;
  let a = range.min;
  let b = range.max;
  let ga = range.atMin - target;
  let gb = range.atMax - target;
  let side = 0;
  for (let i = 0; i < MAX_ROOT_ITERATIONS; i++) {
    let x = (a * gb - b * ga) / (gb - ga);
    if (!(x > a && x < b)) x = 0.5 * (a + b);
    const gx = metric(x) - target;
    if (Math.abs(gx) <= TARGET_TOLERANCE * target) return x;
    if (gx < 0) {
      a = x;
      ga = gx;
      if (side === -1) gb *= 0.5;
      side = -1;
    } else {
      b = x;
      gb = gx;
      if (side === 1) ga *= 0.5;
      side = 1;
    }
    if (b - a <= RATE_TOLERANCE * b) break;
  }
  return a;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
