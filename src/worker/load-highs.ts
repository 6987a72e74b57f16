/**
 * HiGHS in workerd: wrangler bundles the .wasm as a compiled WebAssembly.Module (a Worker may
 * not compile code at run time), and Emscripten's `instantiateWasm` hook hands it to the
 * loader, which ignores its documented wasmBinary/wasmModule options there. Loaded on first use
 * in each isolate (see loadOnce).
 */
import loadHighs, { type Highs, type InitOptions } from 'highs';
// a link to the pinned highs package's file (the build copies it into dist/worker), so that the
// import resolves from the sources and from the installed package alike
import highsWasm from './highs.wasm';
import type { MipSolver } from '../core/mip-solver.js';
import { highsMipSolver } from '../highs/highs-solver.js';
import { loadOnce } from '../highs/load-once.js';

/** Emscripten's hook, missing from the package's types. */
interface InstantiateWasmOption {
  instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void): object;
}

function instantiate(): Promise<Highs> {
  // The hook has no way to report a failure to the loader, so it rejects this promise instead.
  return new Promise((resolve, reject) => {
    const options: InitOptions & InstantiateWasmOption = {
      instantiateWasm: (imports, done) => {
        WebAssembly.instantiate(highsWasm, imports).then(done, reject);
        return {};
      },
    };
    loadHighs(options).then(resolve, reject);
  });
}

// No callbacks: highs-js would compile wasm for them at run time, which a Worker forbids.
export const loadWorkerMipSolver: () => Promise<MipSolver> = loadOnce(async () => highsMipSolver(await instantiate(), { callbacks: false }));
