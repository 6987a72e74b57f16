/**
 * `inferno-edge token SYSTEM [--scope read|write] [--version N]`: prints a system token for the
 * Worker, offline, signed with INFERNO_TOKEN from the environment (the Worker's secret).
 */
import { isSystemId, isTokenVersion, MAX_TOKEN_VERSION, signSystemToken, SYSTEM_ID_RULE, TOKEN_SCOPES, type TokenScope } from '../api/index.js';

export const TOKEN_USAGE = `  inferno-edge token SYSTEM [--scope read|write] [--version N]
                                         print a token that opens the Worker's system SYSTEM
                                         only, signed with INFERNO_TOKEN from the environment;
                                         scope write (every verb of it) unless given, version 1
                                         unless given (POST /systems/SYSTEM/revokeTokens
                                         answers the version it accepts)`;

interface TokenRequest {
  systemId: string;
  scope: TokenScope;
  version: number;
}

/** What `args` ask for, or the message saying what is wrong with them. */
export function tokenRequest(args: readonly string[]): TokenRequest | string {
  const request: TokenRequest = { systemId: '', scope: 'write', version: 1 };
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--scope' || arg === '--version') {
      const value = args[++i];
      if (value === undefined) return `${arg} needs a value`;
      if (arg === '--scope') {
        if (!TOKEN_SCOPES.includes(value as TokenScope)) return `--scope is read or write, not "${value}"`;
        request.scope = value as TokenScope;
      } else {
        const version = /^\d+$/.test(value) ? Number(value) : NaN;
        if (!isTokenVersion(version)) return `--version is a whole number from 1 to ${MAX_TOKEN_VERSION}, not "${value}"`;
        request.version = version;
      }
    } else if (arg.startsWith('-')) return `unknown option: ${arg}`;
    else positional.push(arg);
  }
  if (positional.length !== 1) return 'name one system';
  if (!isSystemId(positional[0])) return `SYSTEM must be ${SYSTEM_ID_RULE}, not "${positional[0]}"`;
  request.systemId = positional[0];
  return request;
}

/** Prints the token; answers the exit code (2: bad usage or no INFERNO_TOKEN). */
export async function tokenCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const request = tokenRequest(args);
  if (typeof request === 'string') return refuse(request);
  const secret = env.INFERNO_TOKEN;
  if (!secret) return refuse('INFERNO_TOKEN is not set: tokens are signed with it');
  process.stdout.write(`${await signSystemToken(secret, request)}\n`);
  return 0;
}

function refuse(problem: string): number {
  process.stderr.write(`${problem}\nusage:\n${TOKEN_USAGE}\n`);
  return 2;
}
