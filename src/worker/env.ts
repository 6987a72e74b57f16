/** The bindings wrangler.toml gives the Worker, and the secrets and vars it reads. */
import type { SystemObject } from './system-object.js';

export interface Env {
  /** one Durable Object per system, named by its id */
  SYSTEMS: DurableObjectNamespace<SystemObject>;
  /** a secret (`wrangler secret put INFERNO_TOKEN`): every request but /health must carry it as a bearer token */
  INFERNO_TOKEN?: string;
  /** comma-separated origins that browsers may call from (CORS); unset: CORS off */
  INFERNO_CORS_ORIGINS?: string;
}
