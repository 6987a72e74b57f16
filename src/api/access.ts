/**
 * Who may call the API: a bearer token (every path but /health needs it once one is set) and
 * CORS for an allow-list of browser origins (off when the list is empty). Web APIs only, so
 * that the Node server and the Worker share it.
 */
import { jsonResponse } from './json-response.js';

export interface AccessOptions {
  /** the token every request but /health must carry as `Authorization: Bearer <token>`; unset: no authentication */
  token?: string;
  /** exact origins (scheme://host[:port]) that browsers may call from; empty: CORS off */
  corsOrigins?: readonly string[];
}

export type FetchHandler = (request: Request) => Promise<Response>;

/** Paths anyone may ask, token or not: a load balancer's health check has none. */
const OPEN_PATHS = new Set(['/health']);
const ALLOWED_METHODS = 'GET, POST';
const ALLOWED_HEADERS = 'Authorization, Content-Type';
/** seconds a browser may reuse a preflight answer */
const PREFLIGHT_MAX_AGE = '600';
const BEARER = /^Bearer +(.+)$/i;

/**
 * The origins of a comma-separated allow-list (INFERNO_CORS_ORIGINS); throws naming the first
 * entry that is not an exact origin, such as a path, a trailing slash or a wildcard.
 */
export function parseCorsOrigins(list: string): string[] {
  const origins = list.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const origin of origins) {
    let parsed: string | undefined;
    try {
      parsed = new URL(origin).origin;
    } catch {
      parsed = undefined;
    }
    if (parsed !== origin) {
      throw new Error(`INFERNO_CORS_ORIGINS: "${origin}" is not an origin (scheme://host[:port], e.g. https://app.example.com)`);
    }
  }
  return origins;
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/**
 * Whether two SHA-256 digests are equal, in time independent of where they differ: all 32
 * bytes are compared whatever the tokens' lengths, with no early exit.
 */
function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

function unauthorized(message: string, challenge: string): Response {
  return jsonResponse(401, { message, issues: [] }, { 'www-authenticate': challenge });
}

/** The 401 for a request without the token, or undefined when it carries it. */
async function refusal(request: Request, expected: Uint8Array): Promise<Response | undefined> {
  const presented = BEARER.exec(request.headers.get('authorization') ?? '')?.[1];
  if (presented === undefined) {
    return unauthorized('authentication required: send the header Authorization: Bearer <token>', 'Bearer realm="inferno-edge"');
  }
  if (!sameDigest(await sha256(presented), expected)) {
    return unauthorized('invalid token', 'Bearer realm="inferno-edge", error="invalid_token"');
  }
  return undefined;
}

/** `response` with `headers` added (responses from fetch may have immutable headers). */
function withHeaders(response: Response, headers: Record<string, string>): Response {
  const copy = new Response(response.body, response);
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'vary') copy.headers.append(name, value);
    else copy.headers.set(name, value);
  }
  return copy;
}

/** `handler` behind the token check and CORS that `options` ask for. */
export function withAccess(handler: FetchHandler, { token, corsOrigins = [] }: AccessOptions): FetchHandler {
  const expected = token === undefined ? undefined : sha256(token);
  const origins = new Set(corsOrigins);
  return async (request) => {
    const origin = request.headers.get('origin');
    const allowed = origin !== null && origins.has(origin) ? origin : undefined;
    if (allowed !== undefined && request.method === 'OPTIONS' && request.headers.has('access-control-request-method')) {
      // A preflight carries no credentials: it is answered without the token.
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': allowed,
          'access-control-allow-methods': ALLOWED_METHODS,
          'access-control-allow-headers': ALLOWED_HEADERS,
          'access-control-max-age': PREFLIGHT_MAX_AGE,
          vary: 'Origin',
        },
      });
    }
    const guarded = expected !== undefined && !OPEN_PATHS.has(new URL(request.url).pathname);
    const response = (guarded ? await refusal(request, await expected) : undefined) ?? (await handler(request));
    if (origins.size === 0) return response;
    // With CORS on, every answer depends on the Origin header; only allowed origins get CORS headers.
    return withHeaders(response, allowed === undefined ? { vary: 'Origin' } : { 'access-control-allow-origin': allowed, vary: 'Origin' });
  };
}
