/**
 * The Worker as the edge runs it, for the benchmark: the bundle `wrangler deploy --dry-run`
 * builds, served by workerd alone (the one wrangler runs), with no wrangler, proxy or inspector
 * in front, unless an inspector is asked for. Each instance has its Durable Objects' SQLite
 * storage in a directory of its own.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/net.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const START_TIMEOUT_MS = 60_000;

/** The workerd binary of the miniflare that wrangler runs (so the same build as `wrangler dev`). */
function workerdBinary(): string {
  const fromWrangler = createRequire(createRequire(import.meta.url).resolve('wrangler/package.json'));
  const fromMiniflare = createRequire(fromWrangler.resolve('miniflare/package.json'));
  return join(fromMiniflare.resolve('workerd/package.json'), '..', 'bin', 'workerd');
}

export interface Bundle {
  dir: string;
  /** module file names in `dir`: the Worker's entry and the wasm it imports */
  entry: string;
  wasm: string[];
  compatibilityDate: string;
  remove(): void;
}

/** Bundles the Worker as `wrangler deploy` would (npm run check:worker), into a temporary directory. */
export function bundleWorker(): Bundle {
  const dir = mkdtempSync(join(tmpdir(), 'inferno-bench-bundle-'));
  execFileSync(process.execPath, ['scripts/build-playground.mjs'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync(process.execPath, [createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', dir], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', FORCE_COLOR: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8'))?.[1];
  if (!compatibilityDate) throw new Error('wrangler.toml has no compatibility_date');
  const files = readdirSync(dir);
  return { dir, entry: 'index.js', wasm: files.filter((file) => file.endsWith('.wasm')), compatibilityDate, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A Worker that answers every request at once, with the same Durable Object classes (empty):
 * the part of a cold start that is workerd's own, whatever the script. With `wasmOf`, that
 * bundle's wasm modules come along, unused: what compiling them at start costs.
 */
export function emptyBundle(compatibilityDate: string, wasmOf?: Bundle): Bundle {
  const dir = mkdtempSync(join(tmpdir(), 'inferno-bench-empty-'));
  const wasm = wasmOf?.wasm ?? [];
  for (const file of wasm) copyFileSync(join((wasmOf as Bundle).dir, file), join(dir, file));
  writeFileSync(
    join(dir, 'index.js'),
    "import { DurableObject } from 'cloudflare:workers';\n" +
      'export class SystemObject extends DurableObject {}\nexport class SystemRegistry extends DurableObject {}\n' +
      "export default { fetch: () => new Response('ok') };\n",
  );
  return { dir, entry: 'index.js', wasm, compatibilityDate, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** workerd's configuration (Cap'n Proto text): wrangler.toml's Durable Objects, storage on disk. */
function config(bundle: Bundle, port: number, storage: string): string {
  const modules = [
    `(name = "${bundle.entry}", esModule = embed "${bundle.entry}")`,
    ...bundle.wasm.map((file) => `(name = "${file}", wasm = embed "${file}")`),
  ];
  const objects = ['SystemObject', 'SystemRegistry'];
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker), (name = "storage", disk = (path = "${storage}", writable = true)) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ ${modules.join(', ')} ],
  compatibilityDate = "${bundle.compatibilityDate}",
  bindings = [ (name = "SYSTEMS", durableObjectNamespace = "SystemObject"), (name = "REGISTRY", durableObjectNamespace = "SystemRegistry") ],
  durableObjectNamespaces = [ ${objects.map((name) => `(className = "${name}", uniqueKey = "inferno-edge-${name}", enableSql = true)`).join(', ')} ],
  durableObjectStorage = (localDisk = "storage"),
);
`;
}

export interface Workerd {
  url: URL;
  /** the process id, also the id of its main thread: the one that runs JavaScript */
  pid: number;
  /** with `inspector`: DevTools protocol on http://127.0.0.1:PORT (/json/list) */
  inspectorPort?: number;
  /** ns its main thread had run on a CPU when it first accepted a connection */
  startCpuNs: number;
  /** ms from spawn to the first accepted connection */
  startWallMs: number;
  stop(): Promise<void>;
}

/** ns the main thread of `pid` has run on a CPU (schedstat: Linux). */
export function mainThreadCpuNs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Starts workerd on `bundle` (with a fresh storage directory); resolves once it accepts connections. */
export async function startWorkerd(bundle: Bundle, options: { inspector?: boolean } = {}): Promise<Workerd> {
  const port = await freePort();
  const inspectorPort = options.inspector ? await freePort() : undefined;
  const storage = mkdtempSync(join(tmpdir(), 'inferno-bench-storage-'));
  const configFile = join(bundle.dir, `workerd-${port}.capnp`);
  writeFileSync(configFile, config(bundle, port, storage));
  const args = ['serve', configFile, ...(inspectorPort === undefined ? [] : [`--inspector-addr=127.0.0.1:${inspectorPort}`])];
  const started = performance.now();
  const child = spawn(workerdBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const stop = async () => {
    const done = exited(child);
    child.kill('SIGTERM');
    await done;
    rmSync(storage, { recursive: true, force: true });
    rmSync(configFile, { force: true });
  };
  const pid = child.pid as number;
  const deadline = Date.now() + START_TIMEOUT_MS;
  // polled, not waited for on its output: workerd prints nothing when it is ready
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`workerd did not start:\n${errors}`);
    }
    await sleep(5);
  }
  const startWallMs = performance.now() - started;
  return { url: new URL(`http://127.0.0.1:${port}/`), pid, inspectorPort, startCpuNs: mainThreadCpuNs(pid), startWallMs, stop };
}
