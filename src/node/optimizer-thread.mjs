// A worker thread of the optimizer pool run from the TypeScript source (tests): loads it through tsx
// (a dev dependency). The built package runs dist/node/optimizer-thread.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./optimizer-thread.ts');
