export {
  ACCESS_LEVELS,
  invalidToken,
  OPEN_GRANT,
  parseCorsOrigins,
  permits,
  withAccess,
  type AccessLevel,
  type AccessOptions,
  type FetchHandler,
  type Grant,
  type GrantedHandler,
} from './access.js';
export { createApi, type Api, type ApiOptions } from './api.js';
export { IN_PROCESS, type CoreRunner, type OptimizationOutcome } from './core-runner.js';
export { ApiError } from './errors.js';
export { API_MODES, type ApiMode } from './health.js';
export { MemorySystemStore } from './memory-store.js';
export { ApiMetrics, countingWrites, OptimizationRecordSchema, runFactsOf, type LastRunStore, type OptimizationRecord, type RunFacts } from './metrics.js';
export { MAX_BODY_BYTES } from './request-body.js';
export type { Route } from './route.js';
export { PersistentSystemStore, type SnapshotStorage, type SystemStore } from './store.js';
export { checkSystemId, DEFAULT_SYSTEM_ID, isSystemId, SYSTEM_ID_RULE } from './system-id.js';
export type { SystemDirectory, SystemLifecycle, SystemSummary } from './system-routes.js';
export { signSystemToken, verifySystemToken, isTokenVersion, MAX_TOKEN_VERSION, TOKEN_SCOPES, type SystemTokenClaims, type TokenScope } from './tokens.js';
