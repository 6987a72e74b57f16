/**
 * System tokens: a token that opens one system, read-only or read-write, issued from the
 * operator's secret (INFERNO_TOKEN) without storing anything. It carries its claims in the clear
 * and an HMAC-SHA256 of them keyed with the secret:
 *
 *     ie1~<systemId>~<scope>~<version>~<mac>     e.g. ie1~team-a~read~1~Wq3…(43 characters)
 *
 * so that checking one needs no lookup, only the system's lowest accepted version, which its
 * Durable Object keeps. `~` cannot occur in a system id, so the fields split unambiguously.
 * WebCrypto only, so that the Node CLI and workerd share it. A token is never logged.
 */
import { isSystemId } from './system-id.js';

export const TOKEN_SCOPES = ['read', 'write'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Versions are 1 to this: nine digits, written without leading zeros. */
export const MAX_TOKEN_VERSION = 999_999_999;

export interface SystemTokenClaims {
  systemId: string;
  scope: TokenScope;
  /** tokens below the version the system accepts (raised to revoke) are refused */
  version: number;
}

/** the token format's own version: a later format gets another prefix */
const PREFIX = 'ie1';
const SEPARATOR = '~';
/** characters of a base64url HMAC-SHA256 without padding */
const MAC_LENGTH = 43;
const VERSION = /^[1-9][0-9]{0,8}$/;

export function isTokenVersion(version: number): boolean {
  return Number.isInteger(version) && version >= 1 && version <= MAX_TOKEN_VERSION;
}

/** WebCrypto's CryptoKey, which Node's and workerd's type libraries name differently */
type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** One imported key per secret: importing costs more than signing. */
let cachedKey: { secret: string; key: Promise<HmacKey> } | undefined;

function hmacKey(secret: string): Promise<HmacKey> {
  if (cachedKey?.secret !== secret) {
    const key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    cachedKey = { secret, key };
  }
  return cachedKey.key;
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function mac(secret: string, claims: string): Promise<string> {
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(secret), new TextEncoder().encode(claims));
  return base64url(new Uint8Array(signature));
}

/**
 * Whether two strings of the same length are equal, in time independent of where they differ
 * (no early exit). Comparing the canonical text, not decoded bytes, also refuses the other
 * spellings base64 allows for the same bytes.
 */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

function claimsText({ systemId, scope, version }: SystemTokenClaims): string {
  return [PREFIX, systemId, scope, String(version)].join(SEPARATOR);
}

/** The token for `claims`, signed with `secret`; throws on claims no token can carry. */
export async function signSystemToken(secret: string, claims: SystemTokenClaims): Promise<string> {
  if (secret === '') throw new Error('a system token needs a secret (INFERNO_TOKEN)');
  if (!isSystemId(claims.systemId)) throw new Error(`not a system id: "${claims.systemId}"`);
  if (!TOKEN_SCOPES.includes(claims.scope)) throw new Error(`not a token scope: "${claims.scope}"`);
  if (!isTokenVersion(claims.version)) throw new Error(`a token version is a whole number from 1 to ${MAX_TOKEN_VERSION}, not ${claims.version}`);
  const text = claimsText(claims);
  return `${text}${SEPARATOR}${await mac(secret, text)}`;
}

/**
 * The claims of `token` when it is a system token signed with `secret`, exactly as issued;
 * undefined for anything else (another secret, a changed character or case, extra or missing
 * characters).
 */
export async function verifySystemToken(secret: string, token: string): Promise<SystemTokenClaims | undefined> {
  const fields = token.split(SEPARATOR);
  if (fields.length !== 5 || secret === '') return undefined;
  const [prefix, systemId, scope, version, presentedMac] = fields;
  if (prefix !== PREFIX || !isSystemId(systemId) || !VERSION.test(version) || presentedMac.length !== MAC_LENGTH) return undefined;
  if (!TOKEN_SCOPES.includes(scope as TokenScope)) return undefined;
  const claims: SystemTokenClaims = { systemId, scope: scope as TokenScope, version: Number(version) };
  return sameText(await mac(secret, claimsText(claims)), presentedMac) ? claims : undefined;
}
