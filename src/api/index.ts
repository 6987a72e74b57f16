export { parseCorsOrigins, withAccess, type AccessOptions, type FetchHandler } from './access.js';
export { createApi, type Api, type ApiOptions } from './api.js';
export { IN_PROCESS, type CoreRunner } from './core-runner.js';
export { ApiError } from './errors.js';
export { API_MODES, type ApiMode } from './health.js';
export { MemorySystemStore } from './memory-store.js';
export { MAX_BODY_BYTES } from './request-body.js';
export type { Route } from './route.js';
export type { SystemStore } from './store.js';
