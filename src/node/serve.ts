/**
 * `inferno-edge serve`: the REST API on INFERNO_HOST:INFERNO_PORT (default localhost:8080),
 * stateful with the small sample system loaded unless told otherwise.
 */
import { fileURLToPath } from 'node:url';
import { createApi, MemorySystemStore, type ApiMode } from '../api/index.js';
import { parseWith, System, SystemDataSchema } from '../core/index.js';
import { loadNodeMipSolver } from '../highs/load-node.js';
import { SAMPLES } from '../samples/index.js';
import { createNodeServer, listen } from './http-server.js';

export const SERVE_USAGE = `  inferno-edge serve [--stateless | -F] [--empty]
                                         serve the REST API on INFERNO_HOST:INFERNO_PORT
                                         (default localhost:8080); stateful (-F, the default)
                                         with the small sample loaded, or --stateless;
                                         --empty starts without data`;

const PLAYGROUND_DIR = fileURLToPath(new URL('../../dist/playground/', import.meta.url));

interface ServeOptions {
  mode: ApiMode;
  empty: boolean;
  host: string;
  port: number;
}

/** The options `args` and `env` ask for, or the message saying what is wrong with them. */
export function serveOptions(args: readonly string[], env: NodeJS.ProcessEnv): ServeOptions | string {
  const unknown = args.filter((arg) => !['--stateless', '-F', '--empty'].includes(arg));
  if (unknown.length > 0) return `unknown option: ${unknown.join(' ')}`;
  if (args.includes('--stateless') && args.includes('-F')) return '--stateless and -F (stateful) exclude each other';
  const portText = env.INFERNO_PORT || '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) return `INFERNO_PORT must be a port number (0 to 65535), not "${portText}"`;
  return {
    mode: args.includes('--stateless') ? 'stateless' : 'stateful',
    empty: args.includes('--empty'),
    host: env.INFERNO_HOST || 'localhost',
    port,
  };
}

/** Serves until SIGINT or SIGTERM; answers the exit code (2 bad usage, 1 cannot listen). */
export async function serveCommand(args: readonly string[]): Promise<number> {
  const options = serveOptions(args, process.env);
  if (typeof options === 'string') {
    process.stderr.write(`${options}\nusage:\n${SERVE_USAGE}\n`);
    return 2;
  }
  // The stateless server starts empty, as the reference's: /optimizeOne brings the system.
  const preload = options.mode === 'stateful' && !options.empty;
  const system = preload ? System.fromSpec(parseWith(SystemDataSchema, SAMPLES.small).system) : new System();
  // HiGHS is loaded before listening, so that the first milpSolver request does not wait for it.
  const optimizeOptions = { mipSolver: await loadNodeMipSolver(), now: () => performance.now() };
  const api = createApi({ store: new MemorySystemStore(system), mode: options.mode, optimizeOptions });
  const server = createNodeServer({ api, staticDir: PLAYGROUND_DIR });
  let url: URL;
  try {
    url = await listen(server, options.host, options.port);
  } catch (error) {
    process.stderr.write(`cannot listen on ${options.host}:${options.port}: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`inferno-edge REST API (${options.mode}${preload ? ', small sample loaded' : ''}) listening on ${url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
  });
  return 0;
}
