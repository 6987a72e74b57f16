/**
 * Sizing a replica for one latency target: the largest request rate in the analyzer's stable
 * range at which the metric stays within the target.
 */
import { Infeasible, type Result } from './infeasible.js';

/** A metric within this (relative) of its target meets it: equality is met, float noise too. */
const MET_TOLERANCE = 1e-9;
/** A metric that grows less than this (relative) over the whole range does not change with the load. */
const FLAT_METRIC = 1e-9;
/** Root finding stops when the metric is this close to its target (relative)... */
const TARGET_TOLERANCE = 1e-10;
/** ...or the rate is pinned down this closely (relative). */
const RATE_TOLERANCE = 1e-12;
const MAX_ROOT_ITERATIONS = 200;

export interface RateRange<M> {
  /** lowest and highest rate searched (any unit) */
  min: number;
  max: number;
  /** the metrics there */
  atMin: M;
  atMax: M;
  /**
   * the rate at which the queue saturates (above max): the search measures rates by their
   * distance from it, on a log scale, where latencies grow about linearly
   */
  saturation: number;
  /** the metrics at a rate */
  evaluate(rate: number): M;
}

/** A rate found, and the metrics there (so that they need not be computed again). */
export interface RateFound<M> {
  rate: number;
  at: M;
}

/**
 * The largest rate in `range` whose metric (`read` of its metrics) meets `target`, or why there
 * is none.
 *
 * A metric that meets its target at the top of the range constrains nothing (the top is taken),
 * one that misses it at the bottom cannot be met. So a metric that does not change with the
 * load (batch size 1, or no per-request cost) is met or missed at every load alike. In between
 * the crossing is found by regula falsi with the Anderson-Björck correction, always bracketed.
 * Latencies are hockey sticks in the rate: flat at low load, growing like 1/(saturation - rate)
 * near the top. Searched as log(metric / target) against -log(1 - rate / saturation), they are
 * nearly straight lines, so the secant steps land close from the first (half the queue solutions
 * of a search on the raw scales).
 */
export function largestRateMeeting<M>(name: string, target: number, read: (metrics: M) => number, range: RateRange<M>): Result<RateFound<M>> {
  return rateAtEnds(name, target, read, range) ?? crossing(target, read, range);
}

/**
 * What the ends of the range decide: the top where the metric meets its target there, why it
 * cannot be met where it misses it at the bottom, the bottom where it just meets it there;
 * undefined where the crossing is inside the range.
 */
export function rateAtEnds<M>(name: string, target: number, read: (metrics: M) => number, range: RateRange<M>): Result<RateFound<M>> | undefined {
  const met = target * (1 + MET_TOLERANCE);
  const atMin = read(range.atMin);
  const atMax = read(range.atMax);
  if (atMax <= met) return { rate: range.max, at: range.atMax };
  if (atMin > met) {
    // A metric that does not change with the load misses its target at every load: say so.
    const flat = atMax - atMin <= FLAT_METRIC * Math.abs(atMin);
    const where = flat ? 'every load (it does not change with the load)' : 'the lowest load';
    return new Infeasible(`${name} target ${target} ms is below ${round(atMin)} ms, its value at ${where}`);
  }
  if (atMin >= target) return { rate: range.min, at: range.atMin };
  return undefined;
}

/**
 * A metric this far below its target is below every value the search of its crossing would stop
 * at: the crossing lies at a higher rate (the metrics grow with the rate).
 */
export function clearlyBelow(metric: number, target: number): boolean {
  return metric < target * (1 - TARGET_TOLERANCE);
}

/** The crossing of the target inside the range (rateAtEnds found none at the ends). */
export function crossing<M>(target: number, read: (metrics: M) => number, range: RateRange<M>): RateFound<M> {
  const atMin = read(range.atMin);
  const atMax = read(range.atMax);
  // a metric that is not positive throughout has no log: searched on its own scale
  const logScale = atMin > 0;
  const gap = (metric: number) => (logScale ? Math.log(metric / target) : metric - target);
  const saturation = range.saturation;
  const warped = (rate: number) => -Math.log1p(-rate / saturation);
  // the bracket, as rates (a, b) and warped (ua, ub), with the metric's gap at each end
  let a = range.min;
  let b = range.max;
  let ua = warped(a);
  let ub = warped(b);
  let ga = gap(atMin);
  let gb = gap(atMax);
  let atA = range.atMin;
  let side = 0;
  for (let i = 0; i < MAX_ROOT_ITERATIONS; i++) {
    let u = (ua * gb - ub * ga) / (gb - ga);
    let x = -saturation * Math.expm1(-u);
    if (!(x > a && x < b)) {
      x = 0.5 * (a + b);
      u = warped(x);
    }
    const at = range.evaluate(x);
    const metric = read(at);
    if (Math.abs(metric - target) <= TARGET_TOLERANCE * target) return { rate: x, at };
    const gx = gap(metric);
    // Anderson-Björck: an end kept twice in a row has its gap scaled down, so that the next
    // secant moves it
    if (gx < 0) {
      if (side === -1) gb *= scaleFor(gx, ga);
      a = x;
      ua = u;
      ga = gx;
      atA = at;
      side = -1;
    } else {
      if (side === 1) ga *= scaleFor(gx, gb);
      b = x;
      ub = u;
      gb = gx;
      side = 1;
    }
    if (b - a <= RATE_TOLERANCE * b) break;
  }
  return { rate: a, at: atA };
}

/** The Anderson-Björck factor for the far end when the near end moves from gap `before` to `now` (same sign). */
function scaleFor(now: number, before: number): number {
  const factor = 1 - now / before;
  return factor > 0 ? factor : 0.5;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
