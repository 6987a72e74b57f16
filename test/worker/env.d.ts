/** The Worker's bindings and exports, as `cloudflare:workers` and `cloudflare:test` type them. */
import type { Env as WorkerEnv } from '../../src/worker/env.js';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {}
    interface GlobalProps {
      mainModule: typeof import('../../src/worker/index.js');
      durableNamespaces: 'SystemObject';
    }
  }
}
