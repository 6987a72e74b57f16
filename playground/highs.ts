/**
 * HiGHS in the browser (Vite): the .wasm is an asset whose URL Vite gives us, and `locateFile`
 * points the loader at it. Loaded once per worker, on first use.
 */
import loadHighs from 'highs';
import wasmUrl from 'highs/runtime?url';
import type { MipSolver } from '../src/core/mip-solver.js';
import { highsMipSolver } from '../src/highs/highs-solver.js';

let loading: Promise<MipSolver> | undefined;

export function loadBrowserMipSolver(): Promise<MipSolver> {
  loading ??= loadHighs({ locateFile: () => wasmUrl }).then(highsMipSolver);
  return loading;
}
