/** GET /health: whether the API answers, and in which mode. */
import { HealthSchema, type ApiMode } from '../core/index.js';
import type { Route } from './route.js';

export { API_MODES, type ApiMode } from '../core/index.js';

export function healthRoute(mode: ApiMode): Route<typeof HealthSchema> {
  return {
    method: 'GET',
    path: '/health',
    summary: 'Whether the API answers, and in which mode',
    stateless: true,
    access: 'read',
    systemless: true,
    response: HealthSchema,
    handle: async () => ({ status: 'ok', mode }),
  };
}
