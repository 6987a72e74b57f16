/**
 * `wrangler dev` as a child process, for the HTTP tests and the Worker benchmark: local and
 * offline, on a free port of 127.0.0.1, with its Durable Object storage in `persistTo`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { freePort } from '../net.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRANGLER = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export interface WranglerDev {
  url: URL;
  /** wrangler's process id, also the id of the process group it shares with its workerd */
  pid: number;
  persistTo: string;
  /** everything it printed so far */
  output(): string;
  /** Stops it (and the workerd it started); resolves once it has exited. */
  stop(): Promise<void>;
}


function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** SIGTERM to its process group (wrangler and its workerd), SIGKILL if it lingers. */
async function terminate(child: ChildProcess): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), name);
    } catch {
      // the group is gone already
    }
  };
  const done = exited(child);
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), STOP_TIMEOUT_MS);
  await done;
  clearTimeout(timer);
}

/** `vars` are given to the Worker as --var NAME:VALUE (its env), e.g. INFERNO_TOKEN. */
export async function startWranglerDev(persistTo: string, vars: Readonly<Record<string, string>> = {}): Promise<WranglerDev> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  // an inspector port of its own too, so that several can run at once
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort), '--persist-to', persistTo, '--show-interactive-dev-session=false'];
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', FORCE_COLOR: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // its own process group, so that stop() reaches workerd too
    detached: true,
  });
  let output = '';
  const ready = new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wrangler dev not ready after ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Ready on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(new URL(match[1]));
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`wrangler dev exited with ${code} before it was ready:\n${output}`));
    });
  });
  let url: URL;
  try {
    url = await ready;
  } catch (error) {
    await terminate(child);
    throw error;
  }
  return { url, pid: child.pid as number, persistTo, output: () => output, stop: () => terminate(child) };
}
