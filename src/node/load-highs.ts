/** HiGHS on Node: the package finds its .wasm beside itself. Loaded on first use (see loadOnce). */
import loadHighs from 'highs';
import type { MipSolver } from '../core/mip-solver.js';
import { highsMipSolver } from '../highs/highs-solver.js';
import { loadOnce } from '../highs/load-once.js';

export const loadNodeMipSolver: () => Promise<MipSolver> = loadOnce(async () => highsMipSolver(await loadHighs()));
