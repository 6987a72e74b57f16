/**
 * The package as a user gets it: `npm pack`, then the tarball installed without dev dependencies
 * into an empty folder (from npm's cache, which `npm ci` filled). There the README's examples
 * (examples/) run: the core from Node ESM, the REST API in a Node process and through `npx
 * inferno-edge`, the core bundled for a page (no Node built-ins) and shown in Chromium, the Worker
 * bundled by wrangler. publint and @arethetypeswrong/cli check the tarball.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { publint } from 'publint';
import { build, preview, type Plugin } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optimize, parseWith, System, SystemDataSchema, type AllocationSolution } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';
import { SAMPLE_DATA_DIR } from '../fixtures.js';
import { freePort } from '../net.js';
import { prerequisite } from '../prerequisites.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLES = join(ROOT, 'examples');
const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = prerequisite(existsSync(CHROMIUM), `the page example's test needs ${CHROMIUM} (apt-get install chromium)`);
const require = createRequire(import.meta.url);
const run = promisify(execFile);
const SMALL_FILE = join(SAMPLE_DATA_DIR, 'small/system-data.json');

interface Problem {
  kind: string;
  entrypoint?: string;
  resolutionKind?: string;
}

/** Runs a command; on failure the error says what it printed. */
async function sh(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
  }
}

/** The in-repo core's solution of `data`, the answer the installed package must give. */
function coreSolution(data: unknown): AllocationSolution {
  const parsed = parseWith(SystemDataSchema, data);
  return optimize(System.fromSpec(parsed.system), parsed.system.optimizerData.optimizer).solution;
}

/** Starts a command in a process group of its own; resolves with the URL it prints once it listens. */
function startListening(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: URL }> {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  return new Promise((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listening on (http:\/\/\S+)/.exec(output);
      if (listening) resolve({ child, url: new URL(listening[1]) });
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output}`)));
  });
}

/** SIGTERM to its process group (npx and the node it runs); resolves once it has exited. */
function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    process.kill(-(child.pid as number), 'SIGTERM');
  });
}

/** A Vite plugin that records every Node built-in the bundle imports. */
function nodeBuiltinImports(found: string[]): Plugin {
  const builtins = new Set(builtinModules);
  return {
    name: 'record-node-builtins',
    enforce: 'pre',
    resolveId(id, importer) {
      if (id.startsWith('node:') || builtins.has(id.split('/')[0])) found.push(`${id} (from ${importer})`);
      return null;
    },
  };
}

let temp: string;
let tarball: string;
/** the empty folder the tarball is installed into, without dev dependencies */
let app: string;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'inferno-package-'));
  // dist/ is built already (vitest's global setup), so the pack scripts, which rebuild it from scratch, are skipped
  const [packed] = JSON.parse(await sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', temp], ROOT)) as { filename: string }[];
  tarball = join(temp, packed.filename);
  app = join(temp, 'app');
  cpSync(EXAMPLES, app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await sh('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', tarball], app);
}, 300_000);

afterAll(() => {
  if (temp) rmSync(temp, { recursive: true, force: true });
});

describe('the packed package, installed without dev dependencies', { timeout: 120_000 }, () => {
  it('holds the built JavaScript, the playground, LICENSE and NOTICE, and none of the dev tools', () => {
    const installed = join(app, 'node_modules/inferno-edge');
    for (const file of ['dist/core/public.js', 'dist/core/public.d.ts', 'dist/cli/main.js.map', 'dist/playground/index.html', 'dist/worker/highs.wasm', 'LICENSE', 'NOTICE', 'CHANGELOG.md']) {
      expect(existsSync(join(installed, file)), file).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).private).toBeUndefined();
    for (const devTool of ['tsx', 'typescript', 'vite', 'vitest', 'wrangler']) expect(existsSync(join(app, 'node_modules', devTool)), devTool).toBe(false);
  });

  it('imports the core from Node ESM and optimizes the small sample (examples/node/optimize.mjs)', async () => {
    const stdout = await sh(process.execPath, ['node/optimize.mjs', SMALL_FILE], app);
    expect(JSON.parse(stdout)).toEqual(coreSolution(JSON.parse(readFileSync(SMALL_FILE, 'utf8'))));
  });

  it('loads the core with CommonJS require(), as Node 20.19 and later do for an ESM-only package', async () => {
    // the reason attw's `esm-only` profile is the right one: require() of the ESM entry works
    const script = `const c = require('inferno-edge'); const d = require(process.argv[1]);
      const p = c.parseWith(c.SystemDataSchema, d);
      process.stdout.write(JSON.stringify(c.optimize(c.System.fromSpec(p.system), p.system.optimizerData.optimizer).solution));`;
    const stdout = await sh(process.execPath, ['--no-warnings', '-e', script, SMALL_FILE], app);
    expect(JSON.parse(stdout)).toEqual(coreSolution(JSON.parse(readFileSync(SMALL_FILE, 'utf8'))));
  });

  it('runs `npx inferno-edge optimize`', async () => {
    const stdout = await sh('npx', ['--no', 'inferno-edge', 'optimize', SMALL_FILE], app);
    expect(JSON.parse(stdout)).toEqual(coreSolution(JSON.parse(readFileSync(SMALL_FILE, 'utf8'))));
  });

  it('serves the API and the playground with `npx inferno-edge serve`', async () => {
    const { child, url } = await startListening('npx', ['--no', 'inferno-edge', 'serve'], app, { INFERNO_HOST: '127.0.0.1', INFERNO_PORT: '0' });
    try {
      const health = await fetch(new URL('/health', url));
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', mode: 'stateful' });
      const page = await fetch(url);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toMatch(/<title>[^<]*playground/i);
    } finally {
      await stop(child);
    }
  });

  it('serves the REST API from a Node process of its own (examples/node/server.mjs)', async () => {
    const { child, url } = await startListening(process.execPath, ['node/server.mjs'], app, { PORT: '0' });
    try {
      const answer = await fetch(new URL('/optimizeOne', url), { method: 'POST', body: JSON.stringify(SAMPLES.small) });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual(coreSolution(SAMPLES.small));
    } finally {
      await stop(child);
    }
  });

  it('bundles the Worker for workerd with wrangler (examples/worker)', async () => {
    const wrangler = require.resolve('wrangler/bin/wrangler.js');
    const out = join(temp, 'worker-bundle');
    await sh(process.execPath, [wrangler, 'deploy', '--dry-run', '--outdir', out], join(app, 'worker'), {
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    });
    const bundle = readFileSync(join(out, 'index.js'), 'utf8');
    expect(bundle).toMatch(/export \{[^}]*\bSystemObject\b[^}]*\}/);
    // HiGHS as a WebAssembly module beside the script, imported by it
    expect(bundle).toMatch(/from "\.\/[0-9a-f]+-highs\.wasm"/);
  });
});

describe.skipIf(!HAVE_CHROMIUM)('the core bundled for a page (examples/page)', { timeout: 120_000 }, () => {
  it('bundles with Vite without Node built-ins, and the page shows the solution', async () => {
    const root = join(app, 'page');
    const outDir = join(temp, 'page-bundle');
    const builtins: string[] = [];
    await build({ root, configFile: false, logLevel: 'warn', plugins: [nodeBuiltinImports(builtins)], build: { outDir, emptyOutDir: true } });
    expect(builtins).toEqual([]);
    const server = await preview({ root, configFile: false, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: await freePort(), strictPort: true } });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      await page.goto(server.resolvedUrls!.local[0]);
      await page.waitForFunction("document.getElementById('solution').textContent.startsWith('{')");
      expect(JSON.parse((await page.textContent('#solution'))!)).toEqual(coreSolution(SAMPLES.small));
    } finally {
      await browser.close();
      await server.close();
    }
  });
});

describe('publint and @arethetypeswrong/cli', { timeout: 120_000 }, () => {
  it('publint finds nothing to report on the tarball, suggestions included', async () => {
    const tarballData = readFileSync(tarball);
    const { messages } = await publint({ pack: { tarball: new Uint8Array(tarballData).buffer }, level: 'suggestion', strict: true });
    expect(messages).toEqual([]);
  });

  it('@arethetypeswrong/cli finds no problem for an ESM-only package', async () => {
    const attw = join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js');
    // ESM only (`--profile esm-only`): no CommonJS require() nor node10 resolution of the
    // subpaths; from Node 20.19 on require() loads it anyway, which attw does not model. It exits
    // 1 on any other problem; the JSON lists the ignored ones too.
    const output = await sh(process.execPath, [attw, tarball, '--profile', 'esm-only', '--format', 'json'], ROOT);
    const problems = Object.values((JSON.parse(output) as { problems: Record<string, Problem[]> }).problems).flat();
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.filter((problem) => !['node16-cjs', 'node10'].includes(problem.resolutionKind ?? ''))).toEqual([]);
  });
});
