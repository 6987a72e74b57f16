/** How the page says where a run is: its stage, and the MILP's own progress when the core reports it. */
import { formatCost, formatPercent } from './format.js';
import type { RunProgress } from './protocol.js';

const SOLVER_NAMES = { greedy: 'greedy', unlimited: 'unlimited', milp: 'MILP (HiGHS)' } as const;

export function progressText(progress: RunProgress): string {
  switch (progress.stage) {
    case 'reading':
      return 'Reading the system data…';
    case 'loading-solver':
      return 'Loading the MILP solver…';
    case 'reporting':
      return 'Preparing the results…';
    case 'optimizing': {
      const solver = progress.solver ? ` (${SOLVER_NAMES[progress.solver]})` : '';
      const { milp } = progress;
      if (!milp) return `Optimizing${solver}…`;
      // A count stage's objective is servers within SLO; the cost stage's, the total value.
      const best = milp.stage === 'cost' ? `best value so far ${formatCost(milp.incumbent)}` : `best so far ${milp.incumbent} within SLO`;
      const gap = milp.gap === undefined ? '' : `, gap ${formatPercent(milp.gap)}`;
      return `Optimizing${solver}: ${milp.stage} (stage ${milp.stageNumber} of ${milp.stageCount}), ${best}${gap}…`;
    }
  }
}

/** Elapsed time of a run, to a tenth of a second. */
export function elapsedText(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}
