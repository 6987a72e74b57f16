// A worker thread of the optimizer pool: loads the TypeScript through tsx, as bin/inferno-edge.mjs does.
import { register } from 'tsx/esm/api';

register();
await import('./optimizer-thread.ts');
