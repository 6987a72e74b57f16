/**
 * Who may call the API, and what they may do: a bearer token (every path but /health needs one
 * once INFERNO_TOKEN is set) gives a Grant, and CORS answers an allow-list of browser origins
 * (off when the list is empty). Web APIs only, so that the Node server and the Worker share it.
 *
 * INFERNO_TOKEN is the admin token: every verb of every system. Node may add a read-only token
 * (INFERNO_READ_TOKEN); the Worker accepts system tokens signed from INFERNO_TOKEN (tokens.ts).
 */
import { jsonResponse } from './json-response.js';
import { verifySystemToken } from './tokens.js';

/** What a verb needs: reading a system, changing it, or the admin's lifecycle verbs. */
export const ACCESS_LEVELS = ['read', 'write', 'admin'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** What an authenticated request may do. */
export interface Grant {
  level: AccessLevel;
  /** the one system it opens (a system token); undefined: every system the server has */
  systemId?: string;
  /** a system token's version, which its system checks against the lowest one it accepts */
  version?: number;
}

/** What a request may do where no token is set: everything. */
export const OPEN_GRANT: Grant = Object.freeze({ level: 'admin' });

export function permits(grant: Grant, needed: AccessLevel): boolean {
  return ACCESS_LEVELS.indexOf(grant.level) >= ACCESS_LEVELS.indexOf(needed);
}

export interface AccessOptions {
  /**
   * the admin token (INFERNO_TOKEN) that requests but /health must carry as `Authorization:
   * Bearer <token>`; unset: no authentication, every request may do everything
   */
  token?: string;
  /** a second token that may only read (Node's INFERNO_READ_TOKEN); needs `token` */
  readToken?: string;
  /** accept system tokens signed with `token` (the Worker's tenants) */
  systemTokens?: boolean;
  /** exact origins (scheme://host[:port]) that browsers may call from; empty: CORS off */
  corsOrigins?: readonly string[];
}

export type FetchHandler = (request: Request) => Promise<Response>;
/** A handler of requests already authenticated. */
export type GrantedHandler = (request: Request, grant: Grant) => Promise<Response>;

/** Paths anyone may ask, token or not: a load balancer's health check has none. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(['/health']);
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

/** The grant of a presented token; undefined for a token not accepted. */
type TokenCheck = (presented: string) => Promise<Grant | undefined>;

/** How `options` grant: by the digests of its fixed tokens, then (Worker) by a system token's signature. */
function tokenCheck({ token, readToken, systemTokens }: AccessOptions): TokenCheck | undefined {
  if (token === undefined) return undefined;
  const admin = sha256(token);
  const reader = readToken === undefined ? undefined : sha256(readToken);
  return async (presented) => {
    const digest = await sha256(presented);
    // both digests are compared whatever the first gives, so that timing tells nothing
    const isAdmin = sameDigest(digest, await admin);
    const isReader = reader !== undefined && sameDigest(digest, await reader);
    if (isAdmin) return OPEN_GRANT;
    if (isReader) return { level: 'read' };
    if (!systemTokens) return undefined;
    const claims = await verifySystemToken(token, presented);
    return claims && { level: claims.scope, systemId: claims.systemId, version: claims.version };
  };
}

/** The grant of a request's bearer token, or the 401 that refuses it. */
async function authenticate(request: Request, check: TokenCheck): Promise<Grant | Response> {
  const presented = BEARER.exec(request.headers.get('authorization') ?? '')?.[1];
  if (presented === undefined) {
    return unauthorized('authentication required: send the header Authorization: Bearer <token>', 'Bearer realm="inferno-edge"');
  }
  return (await check(presented)) ?? invalidToken('invalid token');
}

/** The 401 for a token that is not (or no longer) accepted. */
export function invalidToken(message: string): Response {
  return unauthorized(message, 'Bearer realm="inferno-edge", error="invalid_token"');
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

/** `handler` behind the token check and CORS that `options` ask for; it is given the request's grant. */
export function withAccess(handler: GrantedHandler, options: AccessOptions): FetchHandler {
  if (options.readToken !== undefined && options.token === undefined) throw new Error('a read token needs the admin token too');
  const check = tokenCheck(options);
  const origins = new Set(options.corsOrigins ?? []);
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
    let grant: Grant | Response = OPEN_GRANT;
    if (check !== undefined) {
      // /health answers anyone, and reads nothing
      grant = OPEN_PATHS.has(new URL(request.url).pathname) ? { level: 'read' } : await authenticate(request, check);
    }
    const response = grant instanceof Response ? grant : await handler(request, grant);
    if (origins.size === 0) return response;
    // With CORS on, every answer depends on the Origin header; only allowed origins get CORS headers.
    return withHeaders(response, allowed === undefined ? { vary: 'Origin' } : { 'access-control-allow-origin': allowed, vary: 'Origin' });
  };
}
