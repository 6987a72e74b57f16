/** SLO arithmetic shared by the report (in the worker) and the charts (on the page). */
import type { SloCheck } from './protocol.js';

/** Within the SLO: no target, or at most the target. */
export function meets(check: SloCheck): boolean {
  return check.target <= 0 || check.value <= check.target;
}

/** Headroom: how far below its target a latency is, as a share of the target. */
export function headroom(check: SloCheck): number {
  return (check.target - check.value) / check.target;
}
