/** GET /health: whether the API answers, and in which mode. */
import { z } from 'zod';
import type { Route } from './route.js';

export const API_MODES = ['stateful', 'stateless'] as const;
export type ApiMode = (typeof API_MODES)[number];

export const HealthSchema = z.object({ status: z.literal('ok'), mode: z.enum(API_MODES) });

export function healthRoute(mode: ApiMode): Route {
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
