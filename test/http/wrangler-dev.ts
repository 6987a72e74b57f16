/**
 * `wrangler dev` as a child process, for the HTTP tests and the Worker benchmark: local and
 * offline, on a free port of 127.0.0.1, with its Durable Object storage in `persistTo`.
 *
 * wrangler dev runs two workerd processes: the Worker's own, and in front of it a live-reload
 * proxy (the "Ready on" address). The proxy forwards over pooled keep-alive connections, and
 * both its pool and the Worker's workerd drop an idle connection after 5 s; a request sent on a
 * connection as the other side closes it never reaches the Worker. The proxy then answers a
 * POST itself, 503 text/plain "Your worker restarted mid-request" (although nothing restarted),
 * and parks a GET until some later request arrives (cloudflare/workers-sdk#14641, open). Under
 * load, when test bursts leave many connections idle for about 5 s, that happens. So the tests
 * talk to the Worker's own workerd, as the edge would, at the address wrangler's debug log
 * gives, and call the proxy only once to show that it serves the same Worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRANGLER = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export interface WranglerDev {
  /** the Worker's own workerd: what the tests call */
  url: URL;
  /** what wrangler dev prints as "Ready on": its live-reload proxy in front of the Worker */
  proxyUrl: URL;
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

/** The Worker's own address, from the proxy's last "reloadComplete" in wrangler's debug log (written even at the default log level). */
function workerAddress(logFile: string): URL | undefined {
  let log: string;
  try {
    log = readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  const found = [...log.matchAll(/"type":"reloadComplete","proxyData":\{"userWorkerUrl":(\{[^}]*\})/g)].at(-1);
  if (!found) return undefined;
  const { protocol, hostname, port } = JSON.parse(found[1]) as { protocol: string; hostname: string; port: string };
  return new URL(`${protocol}//${hostname}:${port}/`);
}

/** `vars` are given to the Worker as --var NAME:VALUE (its env), e.g. INFERNO_TOKEN. */
export async function startWranglerDev(persistTo: string, vars: Readonly<Record<string, string>> = {}): Promise<WranglerDev> {
  // port 0: workerd and the inspector bind a free port themselves and "Ready on" names it; a port
  // probed free beforehand can be taken by another process before wrangler binds it (it was, once)
  const args = ['dev', '--ip', '127.0.0.1', '--port', '0', '--inspector-port', '0', '--persist-to', persistTo, '--show-interactive-dev-session=false'];
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);
  const logDir = mkdtempSync(join(tmpdir(), 'inferno-wrangler-log-'));
  const logFile = join(logDir, 'wrangler.log');
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', FORCE_COLOR: '0', NO_COLOR: '1', WRANGLER_LOG_PATH: logFile },
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
  const stop = async () => {
    await terminate(child);
    rmSync(logDir, { recursive: true, force: true });
  };
  let proxyUrl: URL;
  let url: URL | undefined;
  try {
    proxyUrl = await ready;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(url = workerAddress(logFile))) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`wrangler dev logged no Worker address to ${logFile}:\n${output}`);
      await sleep(50);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, proxyUrl, pid: child.pid as number, persistTo, output: () => output, stop };
}
