/**
 * createApi: the REST API as a fetch handler (web Request in, Response out), shared by the
 * Node server, the Cloudflare Worker and the tests. Each runtime brings its own SystemStore.
 */
import { Router, type IRequest } from 'itty-router';
import { ValidationError, type MipSolver, type OptimizeOptions } from '../core/index.js';
import { withAccess, type AccessOptions } from './access.js';
import { IN_PROCESS, type CoreRunner } from './core-runner.js';
import { ApiError, errorResponse } from './errors.js';
import { healthRoute, type ApiMode } from './health.js';
import { jsonResponse } from './json-response.js';
import { withinLimits } from './limited-store.js';
import { buildOpenApiDocument, OpenApiDocumentSchema } from './openapi.js';
import { readJsonBody } from './request-body.js';
import type { Params, Route, RouteContext } from './route.js';
import type { SystemStore } from './store.js';
import { EXPLAIN_ROUTES } from './explain-routes.js';
import { VERBS } from './verbs.js';

/** `token` and `corsOrigins` (AccessOptions) set who may call it; by default anyone, no CORS. */
export interface ApiOptions extends AccessOptions {
  store: SystemStore;
  /** default stateful */
  mode?: ApiMode;
  /** passed to the core's optimize, e.g. the MILP solver this runtime loads */
  optimizeOptions?: OptimizeOptions;
  /**
   * Loads the MILP solver when a request asks for milpSolver and optimizeOptions has none, so
   * that other requests do not pay for loading it (the Worker's isolates start often).
   */
  loadMipSolver?: () => Promise<MipSolver>;
  /** where optimizations run; by default in the caller's thread */
  runner?: CoreRunner;
}

export interface Api {
  readonly mode: ApiMode;
  /** the routes this mode serves */
  readonly routes: readonly Route[];
  fetch(request: Request): Promise<Response>;
}

function decodeParams(raw: Record<string, string>): Params {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    try {
      params[name] = decodeURIComponent(value);
    } catch {
      throw new ValidationError([{ path: name, message: `"${value}" is not valid URL encoding` }]);
    }
  }
  return params;
}

async function answer(route: Route, request: IRequest, context: RouteContext): Promise<Response> {
  const params = decodeParams(request.params);
  const json = route.request ? await readJsonBody(request) : undefined;
  return jsonResponse(200, await route.handle(params, json, context));
}

function verbOf(path: string): string {
  return `/${path.split('/')[1]}`;
}

export function createApi({ store, mode = 'stateful', optimizeOptions = {}, loadMipSolver, runner = IN_PROCESS, token, corsOrigins }: ApiOptions): Api {
  const context: RouteContext = { store: withinLimits(store), optimizeOptions, loadMipSolver, runner };
  let openApiDocument: unknown;
  const openApiRoute: Route = {
    method: 'GET',
    path: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    stateless: true,
    response: OpenApiDocumentSchema,
    handle: async () => (openApiDocument ??= buildOpenApiDocument(served, mode)),
  };
  const all: readonly Route[] = [...VERBS, ...EXPLAIN_ROUTES, healthRoute(mode), openApiRoute];
  const served = all.filter((route) => mode === 'stateful' || route.stateless);

  const router = Router({ catch: errorResponse });
  for (const route of served) {
    const handler = (request: IRequest) => answer(route, request, context);
    if (route.method === 'GET') router.get(route.path, handler);
    else router.post(route.path, handler);
  }
  // A known path with the wrong method, or a verb this mode does not serve.
  for (const path of new Set(all.map((route) => route.path))) {
    const methods = served.filter((route) => route.path === path).map((route) => route.method);
    router.all(path, (request: IRequest) => {
      if (methods.length === 0) throw new ApiError(404, `${verbOf(path)} is not available in ${mode} mode`);
      throw new ApiError(405, `${verbOf(path)} takes ${methods.join(' or ')}, not ${request.method}`, { allow: methods.join(', ') });
    });
  }
  router.all('*', (request: IRequest) => {
    const verb = verbOf(new URL(request.url).pathname);
    const forms = all.filter((route) => verbOf(route.path) === verb).map((route) => route.path);
    if (forms.length > 0) throw new ApiError(404, `${verb} is used as ${forms.join(' or ')}`);
    throw new ApiError(404, `unknown verb ${verb}; /openapi.json lists them`);
  });

  return {
    mode,
    routes: served,
    fetch: withAccess(async (request) => (await router.fetch(request)) as Response, { token, corsOrigins }),
  };
}
