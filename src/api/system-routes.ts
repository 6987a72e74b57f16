/**
 * A system as a whole, for the admin: export and import (every runtime), and where the runtime
 * has many systems (the Worker) delete, list, and the system tokens' issue and revocation.
 * Each runtime brings what differs as a SystemLifecycle or a SystemDirectory in the context.
 */
import { z } from 'zod';
import { goObject, MAX_MODELS, parseWith, System, SystemSpecSchema } from '../core/index.js';
import { notFound } from './errors.js';
import type { Route } from './route.js';
import { SYSTEM_ID_RULE } from './system-id.js';
import { MAX_TOKEN_VERSION, TOKEN_SCOPES, type TokenScope } from './tokens.js';

/**
 * A whole system: SystemData (its optimizer spec included) plus the names of every model, so
 * that a model without perf data survives the trip. Any SystemData is one; `models` may be left
 * out (then the models are those with perf data).
 */
export const SystemExportSchema = goObject({
  system: SystemSpecSchema.prefault({}),
  models: z
    .array(z.string())
    .max(MAX_MODELS, { message: `at most ${MAX_MODELS} models are allowed` })
    .optional()
    .describe('every model name, those without perf data included'),
});

const SystemIdSchema = z.string().describe(SYSTEM_ID_RULE);
const TokenVersionSchema = z.number().int().min(1).max(MAX_TOKEN_VERSION);

export const ImportedSchema = z.object({ systemId: SystemIdSchema.optional(), servers: z.number().describe('servers the system now holds') });

export const IssueTokenRequestSchema = goObject({
  scope: z.enum(TOKEN_SCOPES).default('write').describe('read: the get verbs, explain, health and openapi.json only'),
});

export const IssuedTokenSchema = z.object({
  systemId: SystemIdSchema,
  scope: z.enum(TOKEN_SCOPES),
  version: TokenVersionSchema,
  token: z.string().describe('send as Authorization: Bearer <token>'),
});

export const TokenFloorSchema = z.object({
  systemId: SystemIdSchema,
  version: TokenVersionSchema.describe('the lowest token version the system accepts; tokens below it are refused'),
});

export const SystemSummarySchema = z.object({
  id: SystemIdSchema,
  servers: z.number().describe('servers it holds'),
  lastChange: z.string().describe('when it was last changed, ISO 8601 UTC'),
});
export type SystemSummary = z.output<typeof SystemSummarySchema>;

export const SystemListSchema = z.object({ systems: z.array(SystemSummarySchema).describe('by id') });

/** What the Worker does to one system as a whole, for the admin. */
export interface SystemLifecycle {
  readonly systemId: string;
  /** Deletes everything the system stored; false when it had stored nothing. Answers the token floor after. */
  deleteSystem(): Promise<{ deleted: boolean; version: number }>;
  /** A token of the system's current version, and that version. */
  issueToken(scope: TokenScope): Promise<{ token: string; version: number }>;
  /** Raises the lowest accepted token version by one, refusing every token issued so far; answers it. */
  revokeTokens(): Promise<number>;
}

/** The systems that exist, by id. */
export interface SystemDirectory {
  list(): Promise<SystemSummary[]>;
}

/** A POST verb of the admin on what only the runtime's SystemLifecycle can do; served only where there is one. */
function lifecycleRoute(
  path: string,
  summary: string,
  response: z.ZodType,
  handle: (system: SystemLifecycle, json: unknown) => Promise<unknown>,
  request?: z.ZodType,
): Route {
  return {
    method: 'POST',
    path,
    summary,
    stateless: false,
    access: 'admin',
    needs: 'lifecycle',
    request,
    response,
    handle: (_params, json, { lifecycle }) => {
      if (!lifecycle) throw new Error(`${path} was served without a SystemLifecycle`);
      return handle(lifecycle, json);
    },
  };
}

export const SYSTEM_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/exportSystem',
    summary: 'The whole system as SystemData, its optimizer spec and models without perf data included (for backups and moves)',
    stateless: false,
    access: 'admin',
    response: SystemExportSchema,
    handle: async (_params, _json, { store }) => (await store.read()).toSnapshot(),
  },
  {
    method: 'POST',
    path: '/importSystem',
    summary: 'Replace the whole system with the one given (as /exportSystem answers it, or any SystemData); nothing is optimized',
    stateless: false,
    access: 'admin',
    request: SystemExportSchema,
    response: ImportedSchema,
    handle: async (_params, json, { store, lifecycle }) => {
      const data = parseWith(SystemExportSchema, json);
      const system = System.fromSnapshot({ system: data.system, models: data.models ?? [] });
      await store.replace(system);
      return { ...(lifecycle && { systemId: lifecycle.systemId }), servers: system.servers.size };
    },
  },
  lifecycleRoute('/deleteSystem',
    'Delete everything the system stored and refuse its tokens; it then starts as a new one (default: the small sample)',
    TokenFloorSchema, async (system) => {
      const { deleted, version } = await system.deleteSystem();
      if (!deleted) throw notFound(`system ${system.systemId}`);
      return { systemId: system.systemId, version };
    }),
  lifecycleRoute('/issueToken',
    "A token that opens this system only, of the system's current version; scope read or write (the default)",
    IssuedTokenSchema, async (system, json) => {
      const { scope } = parseWith(IssueTokenRequestSchema, json);
      const { token, version } = await system.issueToken(scope);
      return { systemId: system.systemId, scope, version, token };
    },
    IssueTokenRequestSchema),
  lifecycleRoute('/revokeTokens',
    'Refuse every token of this system issued so far (401), by raising the lowest version it accepts',
    TokenFloorSchema, async (system) => ({ systemId: system.systemId, version: await system.revokeTokens() })),
  {
    method: 'GET',
    path: '/systems',
    summary: 'The systems that exist (something was written to them), by id, with their number of servers and last change',
    stateless: false,
    access: 'admin',
    needs: 'directory',
    systemless: true,
    response: SystemListSchema,
    handle: async (_params, _json, { directory }) => {
      if (!directory) throw new Error('/systems was served without a SystemDirectory');
      return { systems: await directory.list() };
    },
  },
];
