/**
 * createApi: the REST API as a fetch handler (web Request in, Response out), shared by the
 * Node server, the Cloudflare Worker and the tests. Each runtime brings its own SystemStore.
 */
import { Router, type IRequest } from 'itty-router';
import { ValidationError, type MipSolver, type OptimizeOptions } from '../core/index.js';
import { permits, withAccess, type AccessOptions, type Grant } from './access.js';
import { IN_PROCESS, type CoreRunner } from './core-runner.js';
import { ApiError, errorResponse } from './errors.js';
import { healthRoute, type ApiMode } from './health.js';
import { jsonResponse } from './json-response.js';
import { withinLimits } from './limited-store.js';
import { ApiMetrics, metricsRoute } from './metrics.js';
import { buildOpenApiDocument, OpenApiDocumentSchema } from './openapi.js';
import { readJsonBody } from './request-body.js';
import type { Params, Route, RouteContext } from './route.js';
import type { SystemStore } from './store.js';
import { EXPLAIN_ROUTES } from './explain-routes.js';
import { SYSTEM_ROUTES, type SystemDirectory, type SystemLifecycle } from './system-routes.js';
import { VERBS } from './verbs.js';

/**
 * `token`, `readToken`, `systemTokens` and `corsOrigins` (AccessOptions) set who may call it
 * and what they may do; by default anyone may do anything, without CORS.
 */
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
  /** the lifecycle verbs of this system (the Worker's delete and tokens); without, they are not served */
  lifecycle?: SystemLifecycle;
  /** the list of systems (the Worker's registry); without, /systems is not served */
  directory?: SystemDirectory;
  /**
   * One of many systems (the Worker): the OpenAPI document describes the /systems/{id}/ prefix
   * and every verb the runtime has, those its other parts serve included.
   */
  manySystems?: boolean;
  /** what GET /metrics counts and keeps; by default counters and the last run in memory */
  metrics?: ApiMetrics;
}

export interface Api {
  readonly mode: ApiMode;
  /** the routes this mode serves */
  readonly routes: readonly Route[];
  /** Serves a request after the token check of `options`. */
  fetch(request: Request): Promise<Response>;
  /** Serves a request whose token was checked already (by the Worker, before its Durable Object). */
  handle(request: Request, grant: Grant): Promise<Response>;
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

/** The 403 for a grant below what `route` needs; the request is refused before its body is read. */
function refusal(route: Route, grant: Grant): ApiError | undefined {
  if (permits(grant, route.access)) return undefined;
  const verb = verbOf(route.path);
  return route.access === 'admin'
    ? new ApiError(403, `${verb} is for the admin: it needs the admin token (INFERNO_TOKEN)`)
    : new ApiError(403, `${verb} changes the system: this token may only read`);
}

async function answer(route: Route, request: IRequest, grant: Grant, context: RouteContext): Promise<Response> {
  const refused = refusal(route, grant);
  if (refused) throw refused;
  const params = decodeParams(request.params);
  const json = route.request ? await readJsonBody(request) : undefined;
  const body = await route.handle(params, json, context, request);
  return body instanceof Response ? body : jsonResponse(200, body);
}

function verbOf(path: string): string {
  return `/${path.split('/')[1]}`;
}

export function createApi(options: ApiOptions): Api {
  const { store, mode = 'stateful', optimizeOptions = {}, loadMipSolver, runner = IN_PROCESS, lifecycle, directory, manySystems = false } = options;
  const metrics = options.metrics ?? new ApiMetrics({ now: optimizeOptions.now });
  const context: RouteContext = { store: withinLimits(store), optimizeOptions, loadMipSolver, runner, lifecycle, directory, metrics };
  let openApiDocument: ReturnType<typeof buildOpenApiDocument> | undefined;
  const openApiRoute: Route<typeof OpenApiDocumentSchema> = {
    method: 'GET',
    path: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    stateless: true,
    access: 'read',
    systemless: true,
    response: OpenApiDocumentSchema,
    handle: async () => (openApiDocument ??= buildOpenApiDocument(documented, mode, { manySystems })),
  };
  const inMode = (route: Route) => mode === 'stateful' || route.stateless;
  const catalog: readonly Route[] = [...VERBS, ...EXPLAIN_ROUTES, ...SYSTEM_ROUTES, healthRoute(mode), openApiRoute, metricsRoute];
  /** the routes of this part of the runtime: those it has the context for */
  const all = catalog.filter((route) => route.needs === undefined || context[route.needs] !== undefined);
  const served = all.filter(inMode);
  const documented = manySystems ? catalog.filter(inMode) : served;

  const router = Router({ catch: errorResponse });
  for (const route of served) {
    const handler = (request: IRequest, grant: Grant) => answer(route, request, grant, context);
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

  /** the route a request's path names, whatever its method; "other" for none (a bounded label) */
  const routeOf = (request: Request): string => {
    const { pathname } = new URL(request.url);
    const path = router.routes.find(([, pattern]) => pattern.test(pathname))?.[3];
    return path === undefined || path === '*' ? 'other' : path;
  };
  /** Node calls fetch, a Durable Object calls handle (its Worker checked the token): each request is counted once. */
  const counted =
    <A extends unknown[]>(serve: (request: Request, ...rest: A) => Promise<Response>) =>
    async (request: Request, ...rest: A): Promise<Response> => {
      const response = await serve(request, ...rest);
      metrics.countRequest(routeOf(request), response.status);
      return response;
    };
  const handle = async (request: Request, grant: Grant) => (await router.fetch(request, grant)) as Response;
  return { mode, routes: served, fetch: counted(withAccess(handle, options)), handle: counted(handle) };
}
