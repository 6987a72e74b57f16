/**
 * The OpenAPI 3.1 document of the routes a mode serves, generated from the same zod schemas
 * that validate requests, so that it cannot drift from what the API does. Request bodies are
 * described as clients may send them (fields optional, keys in any case), answers as the API
 * writes them (every field present), hence two sets of components: Name and NameOutput.
 */
import { z } from 'zod';
import {
  AcceleratorCountSchema,
  AcceleratorDataSchema,
  AcceleratorSpecSchema,
  AllocationDataSchema,
  AllocationSolutionSchema,
  CapacityDataSchema,
  ModelAcceleratorPerfDataSchema,
  ModelDataSchema,
  ModelTargetSchema,
  OptimizerDataSchema,
  OptimizerSpecSchema,
  SATURATION_POLICIES,
  ServerDataSchema,
  ServerLoadSpecSchema,
  ServerSpecSchema,
  ServiceClassDataSchema,
  ServiceClassSpecSchema,
  SystemDataSchema,
  SystemSpecSchema,
  ExplainRequestSchema,
  CandidateExplanationSchema,
  DoneSchema,
  ErrorBodySchema,
  ExplainResponseSchema,
  ExplanationSchema,
  HealthSchema,
  MAX_BODY_BYTES,
  ModelNamesSchema,
  NameSchema,
  ServerExplanationSchema,
  WhatIfResultSchema,
  type ApiMode,
} from '../core/index.js';
import { OPEN_PATHS, type AccessLevel } from './access.js';
import { MetricsTextSchema } from './metrics.js';
import type { Route } from './route.js';
import { DEFAULT_SYSTEM_ID, SYSTEM_ID_RULE } from './system-id.js';
import { VERSION } from './version.js';
import {
  ImportedSchema,
  IssuedTokenSchema,
  IssueTokenRequestSchema,
  SystemExportSchema,
  SystemListSchema,
  SystemSummarySchema,
  TokenFloorSchema,
} from './system-routes.js';
import { OptimizeRequestSchema } from './verbs.js';

export const OpenApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({}),
  paths: z.record(z.string(), z.unknown()),
});

/** Component names of the schemas routes use, and of those worth naming inside them. */
const NAMED_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  AcceleratorSpec: AcceleratorSpecSchema,
  AcceleratorData: AcceleratorDataSchema,
  AcceleratorCount: AcceleratorCountSchema,
  CapacityData: CapacityDataSchema,
  ModelAcceleratorPerfData: ModelAcceleratorPerfDataSchema,
  ModelData: ModelDataSchema,
  ModelNames: ModelNamesSchema,
  ModelTarget: ModelTargetSchema,
  ServiceClassSpec: ServiceClassSpecSchema,
  ServiceClassData: ServiceClassDataSchema,
  ServerLoadSpec: ServerLoadSpecSchema,
  AllocationData: AllocationDataSchema,
  ServerSpec: ServerSpecSchema,
  ServerData: ServerDataSchema,
  OptimizerSpec: OptimizerSpecSchema,
  OptimizerData: OptimizerDataSchema,
  OptimizeRequest: OptimizeRequestSchema,
  SystemSpec: SystemSpecSchema,
  SystemData: SystemDataSchema,
  AllocationSolution: AllocationSolutionSchema,
  Name: NameSchema,
  Done: DoneSchema,
  Health: HealthSchema,
  Error: ErrorBodySchema,
  OpenApiDocument: OpenApiDocumentSchema,
  ExplainRequest: ExplainRequestSchema,
  ExplainResponse: ExplainResponseSchema,
  Explanation: ExplanationSchema,
  ServerExplanation: ServerExplanationSchema,
  CandidateExplanation: CandidateExplanationSchema,
  WhatIfResult: WhatIfResultSchema,
  SystemExport: SystemExportSchema,
  Imported: ImportedSchema,
  IssueTokenRequest: IssueTokenRequestSchema,
  IssuedToken: IssuedTokenSchema,
  TokenFloor: TokenFloorSchema,
  SystemSummary: SystemSummarySchema,
  SystemList: SystemListSchema,
  MetricsText: MetricsTextSchema,
};

/** Which bearer tokens may call a verb that needs each access level. */
const ACCESS_NOTES: Readonly<Record<AccessLevel, string>> = {
  read: 'Token: any (read, write or admin).',
  write: 'Token: write or admin; a read token gets 403 and nothing changes.',
  admin: 'Token: the admin token (INFERNO_TOKEN) only; others get 403.',
};

const OUTPUT_SUFFIX = 'Output';

type JsonSchema = Record<string, unknown>;

function refTo(name: string): string {
  return `#/components/schemas/${name}`;
}

/** Every schema in NAMED_SCHEMAS as JSON Schema, by component name. */
function componentSchemas(io: 'input' | 'output'): Record<string, JsonSchema> {
  const suffix = io === 'output' ? OUTPUT_SUFFIX : '';
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of Object.entries(NAMED_SCHEMAS)) registry.add(schema, { id: name + suffix });
  const { schemas } = z.toJSONSchema(registry, {
    io,
    uri: refTo,
    // The policy is read case-insensitively (a transform); what the API writes is one of these.
    unrepresentable: ({ path }) =>
      path.at(-1) === 'saturationPolicy' ? { type: 'string', enum: [...SATURATION_POLICIES] } : 'throw',
  });
  const out: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    const { $schema: _schema, $id: _id, ...rest } = schema as JsonSchema;
    out[name] = rest;
  }
  return out;
}

function nameOf(schema: z.ZodType): string {
  const entry = Object.entries(NAMED_SCHEMAS).find(([, named]) => named === schema);
  if (!entry) throw new Error('a route uses a schema that has no component name in NAMED_SCHEMAS');
  return entry[0];
}

/** The components `roots` refer to, directly or through others. */
function reachable(roots: readonly string[], all: Readonly<Record<string, JsonSchema>>): Record<string, JsonSchema> {
  const kept: Record<string, JsonSchema> = {};
  const pending = [...roots];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (kept[name]) continue;
    kept[name] = all[name];
    for (const [, ref] of JSON.stringify(all[name]).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) pending.push(ref);
  }
  return Object.fromEntries(Object.keys(kept).sort().map((name) => [name, kept[name]]));
}

function jsonContent(name: string, contentTypes: readonly string[] = ['application/json']): JsonSchema {
  return Object.fromEntries(contentTypes.map((type) => [type, { schema: { $ref: refTo(name) } }]));
}

function operation(route: Route): JsonSchema {
  const verb = route.path.split('/')[1];
  const params = [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => name);
  return {
    operationId: params.length > 0 ? `${verb}By${params.map((p) => p[0].toUpperCase() + p.slice(1)).join('And')}` : verb,
    summary: route.summary,
    description: ACCESS_NOTES[route.access],
    ...(OPEN_PATHS.has(route.path) && { security: [] }),
    ...(params.length > 0 && {
      parameters: params.map((name) => ({
        name,
        in: 'path',
        required: true,
        schema: name === 'priority' ? { type: 'integer' } : { type: 'string' },
      })),
    }),
    ...(route.request && { requestBody: { required: true, content: jsonContent(nameOf(route.request)) } }),
    responses: {
      '200': { description: 'done', content: jsonContent(nameOf(route.response) + OUTPUT_SUFFIX, route.contentTypes) },
      default: {
        description:
          '400 invalid input or over a limit (issues name the fields), 401 no, a wrong or a revoked bearer ' +
          'token (when the server has one), 403 a token that does not open this system or verb, 404 unknown ' +
          `name, verb or system, 405 wrong method, 413 body over ${MAX_BODY_BYTES} bytes, 409 the system changed while it was being ` +
          'optimized, 422 the optimization cannot be done, 500 a bug, 503 too many optimizations at once ' +
          '(Retry-After says when to try again)',
        content: jsonContent(`Error${OUTPUT_SUFFIX}`),
      },
    },
  };
}

/** The Worker's: every path but the service's own is a system's, under /systems/{systemId}/. */
const SYSTEM_SERVERS = [
  {
    url: '/systems/{systemId}',
    description: 'one system (a Durable Object of its own)',
    variables: { systemId: { default: DEFAULT_SYSTEM_ID, description: SYSTEM_ID_RULE } },
  },
  { url: '/', description: `bare paths: the system "${DEFAULT_SYSTEM_ID}"` },
];
/** Where the Worker answers about the service itself, outside any system. */
const SERVICE_SERVERS = [{ url: '/', description: 'the service, outside any system' }];

export interface OpenApiOptions {
  /** document the /systems/{systemId}/ prefix (the Worker) */
  manySystems?: boolean;
}

export function buildOpenApiDocument(
  routes: readonly Route[],
  mode: ApiMode,
  { manySystems = false }: OpenApiOptions = {},
): z.output<typeof OpenApiDocumentSchema> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    paths[path] = {
      ...paths[path],
      ...(manySystems && route.systemless && { servers: SERVICE_SERVERS }),
      [route.method.toLowerCase()]: operation(route),
    };
  }
  const requests = routes.flatMap((route) => (route.request ? [nameOf(route.request)] : []));
  const responses = [...routes.map((route) => nameOf(route.response)), 'Error'].map((name) => name + OUTPUT_SUFFIX);
  return {
    openapi: '3.1.0',
    info: {
      title: 'inferno-edge',
      version: VERSION,
      description:
        `The Inferno optimizer's REST API, ${mode} mode. JSON keys are read case-insensitively; ` +
        'missing fields take zero values.' +
        (manySystems ? ' Every system has its own data under /systems/{systemId}/; bare paths are the system "default".' : ''),
    },
    ...(manySystems && { servers: SYSTEM_SERVERS }),
    security: [{ bearer: [] }],
    paths,
    components: {
      schemas: { ...reachable(requests, componentSchemas('input')), ...reachable(responses, componentSchemas('output')) },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'Needed when the server has INFERNO_TOKEN: that admin token, ' +
            (manySystems ? 'or a token of one system (read or write scope, from /issueToken)' : 'or INFERNO_READ_TOKEN (read only)'),
        },
      },
    },
  };
}
