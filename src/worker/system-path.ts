/**
 * Which system a request is for: `/systems/{id}/VERB...` names it, a bare `/VERB...` means the
 * default one. Each system is a Durable Object of its own, named by the id.
 */
import { ValidationError } from '../core/index.js';

export const DEFAULT_SYSTEM_ID = 'default';

const SYSTEM_PREFIX = /^\/systems\/([^/]*)(\/.*)?$/;
const SYSTEM_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface SystemPath {
  systemId: string;
  /** the API path within that system, e.g. /getServers */
  path: string;
}

/** Splits a URL path (as URL.pathname gives it, percent-encoded); 400 for an invalid id. */
export function systemPath(pathname: string): SystemPath {
  const match = SYSTEM_PREFIX.exec(pathname);
  if (!match) return { systemId: DEFAULT_SYSTEM_ID, path: pathname };
  const [, systemId, path = '/'] = match;
  if (!SYSTEM_ID.test(systemId)) {
    throw new ValidationError([
      { path: 'systemId', message: `must be 1 to 64 characters of A-Z, a-z, 0-9, ".", "_" and "-", not "${systemId}"` },
    ]);
  }
  return { systemId, path };
}
