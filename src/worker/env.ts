/** The bindings wrangler.toml gives the Worker. */
import type { SystemObject } from './system-object.js';

export interface Env {
  /** one Durable Object per system, named by its id */
  SYSTEMS: DurableObjectNamespace<SystemObject>;
}
