/**
 * The Cloudflare Worker: the REST API of src/api, one system per Durable Object. The Worker
 * checks the token and CORS (INFERNO_TOKEN, INFERNO_CORS_ORIGINS) and routes: `/systems/{id}/VERB`
 * to the object named id, a bare `/VERB` to the one named "default"; /health and
 * /openapi.json, which read no system, it answers itself.
 */
import { createApi, MemorySystemStore, parseCorsOrigins, withAccess, type AccessOptions } from '../api/index.js';
import { errorResponse } from '../api/errors.js';
import { readBody } from '../api/request-body.js';
import type { Env } from './env.js';
import { systemPath } from './system-path.js';

export { SystemObject } from './system-object.js';

/** Serves only the verbs that never touch its (empty) store. */
const systemlessApi = createApi({ store: new MemorySystemStore() });
const SYSTEMLESS_PATHS = new Set(['/health', '/openapi.json']);

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

async function forward(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const { systemId, path } = systemPath(url.pathname);
  url.pathname = path;
  const forwarded = new Request(url, { method: request.method, headers: request.headers, body: await bodyOf(request) });
  return env.SYSTEMS.get(env.SYSTEMS.idFromName(systemId)).fetch(forwarded);
}

function route(request: Request, env: Env): Promise<Response> {
  if (SYSTEMLESS_PATHS.has(new URL(request.url).pathname)) return systemlessApi.fetch(request);
  // errorResponse: a bad system id is a 400, a body over the limit a 413, a failed Durable
  // Object a JSON 500
  return forward(request, env).catch(errorResponse);
}

/** Who may call, from the secret and vars; throws when INFERNO_CORS_ORIGINS is not a list of origins. */
function accessOf(env: Env): AccessOptions {
  // an empty token is no token, as an unset variable
  return { token: env.INFERNO_TOKEN || undefined, corsOrigins: parseCorsOrigins(env.INFERNO_CORS_ORIGINS ?? '') };
}

export default {
  async fetch(request, env): Promise<Response> {
    let response: Response;
    try {
      response = await withAccess((routed) => route(routed, env), accessOf(env))(request);
    } catch (error) {
      // a bad INFERNO_CORS_ORIGINS: a logged 500 on every request
      response = errorResponse(error);
    }
    // A body left unread (a refused token) is read to its end, as bodyOf does.
    if (request.body !== null && !request.bodyUsed) await discard(request.body);
    return response;
  },
} satisfies ExportedHandler<Env>;
