/**
 * The reference keeps costs, rates and latencies as float32. Costs and values are compared
 * (ties decide the greedy's order), so they are computed in float32 too; reported numbers are
 * printed as the shortest decimal that reads back as the same float32, as Go prints them.
 */
export const f32 = Math.fround;

/** The shortest decimal number that rounds to the same float32 as `value`. */
export function shortestFloat32(value: number): number {
  const single = Math.fround(value);
  if (!Number.isFinite(single) || single === 0) return single === 0 ? 0 : single;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(single.toPrecision(digits));
    if (Math.fround(candidate) === single) return candidate;
  }
  return Number(single.toPrecision(9));
}
