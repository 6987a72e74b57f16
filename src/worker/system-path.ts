/**
 * Which system a request is for: `/systems/{id}/VERB...` names it, a bare `/VERB...` means the
 * default one. Each system is a Durable Object of its own, named by the id.
 */
import { checkSystemId, DEFAULT_SYSTEM_ID } from '../api/system-id.js';

export { DEFAULT_SYSTEM_ID };

const SYSTEM_PREFIX = /^\/systems\/([^/]*)(\/.*)?$/;

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
  return { systemId: checkSystemId(systemId), path };
}
