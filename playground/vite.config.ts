/**
 * The playground page. `npm run playground` serves it; `npm run build` writes it to
 * dist/playground/ with relative asset paths, so that it works wherever it is served from
 * (the Node server serves it at /) and offline once loaded.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../dist/playground', import.meta.url)),
    emptyOutDir: true,
  },
  // A module worker, as the page creates it; it can then load HiGHS for the MILP solver.
  worker: { format: 'es' },
});
