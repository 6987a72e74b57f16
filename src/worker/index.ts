/**
 * The Cloudflare Worker: the REST API of src/api, one system per Durable Object. The Worker
 * checks the token and CORS (INFERNO_TOKEN, INFERNO_CORS_ORIGINS) and routes: `/systems/{id}/VERB`
 * to the object named id, a bare `/VERB` to the one named "default"; /health, /openapi.json
 * and the list of systems (/systems), which read no system, it answers itself.
 *
 * A system token is checked here, by its signature alone, and refused on any system but its
 * own; the object then checks its version against the lowest one it accepts. No request costs
 * a round trip more than the one to its system.
 */
import { createApi, MemorySystemStore, parseCorsOrigins, withAccess, type AccessOptions, type Api, type FetchHandler, type Grant } from '../api/index.js';
import { ApiError, errorResponse } from '../api/errors.js';
import { readBody } from '../api/request-body.js';
import type { Env } from './env.js';
import { writeGrant } from './grant-header.js';
import { registryDirectory } from './registry.js';
import { systemPath } from './system-path.js';

export { SystemObject } from './system-object.js';
export { SystemRegistry } from './registry.js';

/** The routes the Worker serves itself, outside any system; the API over an empty store that they never read. */
const SERVICE_PATHS = new Set(['/health', '/openapi.json', '/systems']);
const serviceApis = new WeakMap<Env, Api>();

function serviceApi(env: Env): Api {
  let api = serviceApis.get(env);
  if (!api) {
    api = createApi({ store: new MemorySystemStore(), directory: registryDirectory(env), manySystems: true });
    serviceApis.set(env, api);
  }
  return api;
}

/** Reads what is left of a body, so that the connection can take the next request. */
async function discard(body: ReadableStream): Promise<void> {
  try {
    const reader = body.getReader();
    while (!(await reader.read()).done);
  } catch {
    // the client is gone, or the body was broken already: nothing is left to read
  }
}

/**
 * The body, read here within the API's size limit and passed on whole. Streamed on, the
 * object could answer before reading it all while the Worker was still sending it, which
 * workerd reports as an error. A refused body is read to its end before the answer, or
 * wrangler dev's proxy fails the next request on the connection.
 */
async function bodyOf(request: Request): Promise<Uint8Array | null> {
  if (request.body === null) return null;
  try {
    return await readBody(request);
  } catch (error) {
    await discard(request.body);
    throw error;
  }
}

async function forward(request: Request, url: URL, grant: Grant, env: Env): Promise<Response> {
  const { systemId, path } = systemPath(url.pathname);
  if (grant.systemId !== undefined && grant.systemId !== systemId) {
    throw new ApiError(403, `this token opens system ${grant.systemId} only, not ${systemId}`);
  }
  url.pathname = path;
  const headers = new Headers(request.headers);
  // the object is told what the token grants; the token itself goes no further
  headers.delete('authorization');
  writeGrant(headers, grant);
  const forwarded = new Request(url, { method: request.method, headers, body: await bodyOf(request) });
  return env.SYSTEMS.get(env.SYSTEMS.idFromName(systemId)).fetch(forwarded);
}

function route(request: Request, grant: Grant, env: Env): Promise<Response> {
  const url = new URL(request.url);
  if (SERVICE_PATHS.has(url.pathname)) return serviceApi(env).handle(request, grant);
  // errorResponse: a bad system id is a 400, another system than the token's a 403, a body
  // over the limit a 413, a failed Durable Object a JSON 500
  return forward(request, url, grant, env).catch(errorResponse);
}

/** Who may call, from the secret and vars; throws when INFERNO_CORS_ORIGINS is not a list of origins. */
function accessOf(env: Env): AccessOptions {
  // an empty token is no token, as an unset variable
  return { token: env.INFERNO_TOKEN || undefined, systemTokens: true, corsOrigins: parseCorsOrigins(env.INFERNO_CORS_ORIGINS ?? '') };
}

/**
 * The front handler of `env`, made once per isolate: the token's digest and the CORS origins
 * are worked out from env once, not on every request. A bad INFERNO_CORS_ORIGINS throws here,
 * and nothing is kept.
 */
const frontHandlers = new WeakMap<Env, FetchHandler>();

function frontOf(env: Env): FetchHandler {
  let handler = frontHandlers.get(env);
  if (!handler) {
    handler = withAccess((routed, grant) => route(routed, grant, env), accessOf(env));
    frontHandlers.set(env, handler);
  }
  return handler;
}

export default {
  async fetch(request, env): Promise<Response> {
    let response: Response;
    try {
      response = await frontOf(env)(request);
    } catch (error) {
      // a bad INFERNO_CORS_ORIGINS: a logged 500 on every request
      response = errorResponse(error);
    }
    // A body left unread (a refused token) is read to its end, as bodyOf does.
    if (request.body !== null && !request.bodyUsed) await discard(request.body);
    return response;
  },
} satisfies ExportedHandler<Env>;
