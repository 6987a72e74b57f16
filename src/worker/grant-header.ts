/**
 * The front Worker checks a request's token and tells the system's Durable Object what it
 * grants in a header of the forwarded request. Only the Worker reaches its Durable Objects, and
 * it always sets this header (a client's own is overwritten), so the object may trust it.
 */
import { z } from 'zod';
import { ACCESS_LEVELS, MAX_TOKEN_VERSION, type Grant } from '../api/index.js';

const GRANT_HEADER = 'x-inferno-grant';

const GrantSchema = z.object({
  level: z.enum(ACCESS_LEVELS),
  systemId: z.string().optional(),
  version: z.number().int().min(1).max(MAX_TOKEN_VERSION).optional(),
});

export function writeGrant(headers: Headers, grant: Grant): void {
  headers.set(GRANT_HEADER, JSON.stringify(grant));
}

/** The grant the front Worker wrote, or undefined if there is none (a request that did not come through it). */
export function readGrant(request: Request): Grant | undefined {
  const text = request.headers.get(GRANT_HEADER);
  if (text === null) return undefined;
  try {
    const parsed = GrantSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
