/**
 * HiGHS in the browser (Vite): the .wasm is an asset whose URL Vite gives us, and `locateFile`
 * points the loader at it. Loaded on first use in each worker (see loadOnce).
 */
import loadHighs from 'highs';
import wasmUrl from 'highs/runtime?url';
import type { MipSolver } from '../src/core/mip-solver.js';
import { highsMipSolver } from '../src/highs/highs-solver.js';
import { loadOnce } from '../src/highs/load-once.js';

export const loadBrowserMipSolver: () => Promise<MipSolver> = loadOnce(async () => highsMipSolver(await loadHighs({ locateFile: () => wasmUrl })));
