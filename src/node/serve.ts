/**
 * `inferno-edge serve`: the REST API on INFERNO_HOST:INFERNO_PORT (default localhost:8080),
 * stateful with the small sample system loaded unless told otherwise. INFERNO_TOKEN asks every
 * request but /health for a bearer token, INFERNO_CORS_ORIGINS lets those browser origins call,
 * INFERNO_STATE_FILE keeps the system in a file across restarts. Optimizations run in worker
 * threads (INFERNO_OPTIMIZER_THREADS), at most INFERNO_MAX_OPTIMIZATIONS at once.
 */
import { fileURLToPath } from 'node:url';
import { ApiMetrics, countingWrites, createApi, MemorySystemStore, parseCorsOrigins, type ApiMode, type SystemStore } from '../api/index.js';
import { parseWith, System, SystemDataSchema } from '../core/index.js';
import { SAMPLES } from '../samples/index.js';
import { FileSystemStore, StateFileError } from './file-store.js';
import { createNodeServer, listen } from './http-server.js';
import { DEFAULT_MAX_RUNS, OptimizerPool } from './optimizer-pool.js';

export const SERVE_USAGE = `  inferno-edge serve [--stateless | -F] [--empty]
                                         serve the REST API on INFERNO_HOST:INFERNO_PORT
                                         (default localhost:8080); stateful (-F, the default)
                                         with the small sample loaded, or --stateless;
                                         --empty starts without data; INFERNO_STATE_FILE
                                         keeps the system in a file (read at start if it
                                         exists); INFERNO_TOKEN, INFERNO_READ_TOKEN,
                                         INFERNO_CORS_ORIGINS: who may call;
                                         INFERNO_OPTIMIZER_THREADS (default: the cores, at
                                         most 4) run optimizations, at most
                                         INFERNO_MAX_OPTIMIZATIONS (default ${DEFAULT_MAX_RUNS}) at once`;

const PLAYGROUND_DIR = fileURLToPath(new URL('../../dist/playground/', import.meta.url));

interface ServeOptions {
  mode: ApiMode;
  empty: boolean;
  host: string;
  port: number;
  /** the bearer token requests must carry (INFERNO_TOKEN); undefined: none */
  token?: string;
  /** a bearer token that may only read (INFERNO_READ_TOKEN); needs `token` */
  readToken?: string;
  /** browser origins allowed to call (INFERNO_CORS_ORIGINS); empty: CORS off */
  corsOrigins: string[];
  /** where the stateful system is kept (INFERNO_STATE_FILE); undefined: in memory only */
  stateFile?: string;
  /** worker threads for optimizations (INFERNO_OPTIMIZER_THREADS); undefined: the pool's default */
  threads?: number;
  /** optimizations running or waiting at once (INFERNO_MAX_OPTIMIZATIONS) */
  maxRuns: number;
}

/** A positive whole number from `env[name]`, `fallback` when unset or empty, or the message saying what is wrong. */
function positiveCount(env: NodeJS.ProcessEnv, name: string, fallback: number | undefined): number | undefined | string {
  const text = env[name];
  if (!text) return fallback;
  const value = Number(text);
  return /^\d+$/.test(text) && value >= 1 && value <= 1024 ? value : `${name} must be a whole number from 1 to 1024, not "${text}"`;
}

/** The options `args` and `env` ask for, or the message saying what is wrong with them. */
export function serveOptions(args: readonly string[], env: NodeJS.ProcessEnv): ServeOptions | string {
  const unknown = args.filter((arg) => !['--stateless', '-F', '--empty'].includes(arg));
  if (unknown.length > 0) return `unknown option: ${unknown.join(' ')}`;
  if (args.includes('--stateless') && args.includes('-F')) return '--stateless and -F (stateful) exclude each other';
  const portText = env.INFERNO_PORT || '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) return `INFERNO_PORT must be a port number (0 to 65535), not "${portText}"`;
  const mode = args.includes('--stateless') ? 'stateless' : 'stateful';
  if (env.INFERNO_STATE_FILE && mode === 'stateless') return 'INFERNO_STATE_FILE keeps the stateful system: it does not go with --stateless';
  // empty values count as unset, as for INFERNO_HOST
  const token = env.INFERNO_TOKEN || undefined;
  const readToken = env.INFERNO_READ_TOKEN || undefined;
  if (readToken !== undefined && token === undefined) return 'INFERNO_READ_TOKEN needs INFERNO_TOKEN: without it every request may do everything';
  if (readToken !== undefined && readToken === token) return 'INFERNO_READ_TOKEN must differ from INFERNO_TOKEN';
  let corsOrigins: string[];
  try {
    corsOrigins = parseCorsOrigins(env.INFERNO_CORS_ORIGINS ?? '');
  } catch (error) {
    return (error as Error).message;
  }
  const threads = positiveCount(env, 'INFERNO_OPTIMIZER_THREADS', undefined);
  if (typeof threads === 'string') return threads;
  const maxRuns = positiveCount(env, 'INFERNO_MAX_OPTIMIZATIONS', DEFAULT_MAX_RUNS);
  if (typeof maxRuns === 'string') return maxRuns;
  return {
    mode,
    empty: args.includes('--empty'),
    host: env.INFERNO_HOST || 'localhost',
    port,
    token,
    readToken,
    corsOrigins,
    stateFile: env.INFERNO_STATE_FILE || undefined,
    ...(threads !== undefined ? { threads } : {}),
    maxRuns: maxRuns as number,
  };
}

/** The store of `options`: in memory, or in the state file (read, or created with `initial`). */
async function openStore(options: ServeOptions, initial: () => System): Promise<SystemStore> {
  return options.stateFile === undefined ? new MemorySystemStore(initial()) : FileSystemStore.open(options.stateFile, initial);
}

/** Serves until SIGINT or SIGTERM; answers the exit code (2 bad usage, 1 cannot listen or use the state file). */
export async function serveCommand(args: readonly string[]): Promise<number> {
  const options = serveOptions(args, process.env);
  if (typeof options === 'string') {
    process.stderr.write(`${options}\nusage:\n${SERVE_USAGE}\n`);
    return 2;
  }
  // The stateless server starts empty, as the reference's: /optimizeOne brings the system.
  const preload = options.mode === 'stateful' && !options.empty;
  const initial = () => (preload ? System.fromSpec(parseWith(SystemDataSchema, SAMPLES.small).system) : new System());
  let store: SystemStore;
  try {
    store = await openStore(options, initial);
  } catch (error) {
    if (!(error instanceof StateFileError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  // Each thread loads HiGHS when its first milpSolver run comes.
  const pool = new OptimizerPool({ threads: options.threads, maxRuns: options.maxRuns });
  const { mode, token, readToken, corsOrigins } = options;
  // counters per process; the record of the last optimization in memory, beside the system
  const metrics = new ApiMetrics({ stateFile: options.stateFile !== undefined });
  if (options.stateFile !== undefined) store = countingWrites(store, metrics);
  const api = createApi({ store, mode, runner: pool, token, readToken, corsOrigins, metrics });
  const server = createNodeServer({ api, staticDir: PLAYGROUND_DIR });
  let url: URL;
  try {
    url = await listen(server, options.host, options.port);
  } catch (error) {
    process.stderr.write(`cannot listen on ${options.host}:${options.port}: ${(error as Error).message}\n`);
    await pool.close();
    return 1;
  }
  const loaded = options.stateFile !== undefined ? `, state in ${options.stateFile}` : preload ? ', small sample loaded' : '';
  const guarded = readToken !== undefined ? ', token required (read-only token too)' : token !== undefined ? ', token required' : '';
  process.stdout.write(`inferno-edge REST API (${options.mode}${loaded}${guarded}) listening on ${url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      server.close(() => void pool.close().then(resolve));
      server.closeAllConnections();
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
  });
  return 0;
}
