/**
 * The id of a system, as the Worker's `/systems/{id}/` prefix and the system tokens name it:
 * 1 to 64 characters that need no escaping in a URL path and never contain the token's
 * separator (`~`).
 */
import { ValidationError } from '../core/index.js';

export const DEFAULT_SYSTEM_ID = 'default';

const SYSTEM_ID = /^[A-Za-z0-9._-]{1,64}$/;
export const SYSTEM_ID_RULE = '1 to 64 characters of A-Z, a-z, 0-9, ".", "_" and "-"';

export function isSystemId(text: string): boolean {
  return SYSTEM_ID.test(text);
}

/** `text` when it is a valid system id; a ValidationError naming `field` otherwise. */
export function checkSystemId(text: string, field = 'systemId'): string {
  if (!isSystemId(text)) throw new ValidationError([{ path: field, message: `must be ${SYSTEM_ID_RULE}, not "${text}"` }]);
  return text;
}
