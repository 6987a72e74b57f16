/** HiGHS on Node: the package finds its .wasm beside itself. Loaded once, on first use. */
import loadHighs from 'highs';
import type { MipSolver } from '../core/mip-solver.js';
import { highsMipSolver } from './highs-solver.js';

let loading: Promise<MipSolver> | undefined;

export function loadNodeMipSolver(): Promise<MipSolver> {
  loading ??= loadHighs().then(highsMipSolver);
  return loading;
}
