/** The bindings wrangler.toml gives the Worker, and the secrets and vars it reads. */
import type { SystemRegistry } from './registry.js';
import type { SystemObject } from './system-object.js';

export interface Env {
  /** one Durable Object per system, named by its id */
  SYSTEMS: DurableObjectNamespace<SystemObject>;
  /** one Durable Object that lists the systems that exist */
  REGISTRY: DurableObjectNamespace<SystemRegistry>;
  /**
   * a secret (`wrangler secret put INFERNO_TOKEN`): the admin token, which every request but
   * /health must carry as a bearer token unless it carries a system token signed from it
   */
  INFERNO_TOKEN?: string;
  /** comma-separated origins that browsers may call from (CORS); unset: CORS off */
  INFERNO_CORS_ORIGINS?: string;
}
