// `npm run build`: dist/ as the package ships it. The TypeScript of src/ compiled (JavaScript,
// declarations, source maps), HiGHS's .wasm beside the Worker, the playground page. Parts that
// are up to date are left alone, so `npm start`, `npm test` and `prepare` call it freely;
// --clean (before `npm pack`) starts from an empty dist/.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json', 'tsconfig.worker.json', 'tsconfig.build-worker.json'];
const COMPILED = 'dist/.tsbuildinfo/worker.json';
const WASM = ['src/worker/highs.wasm', 'dist/worker/highs.wasm'];

/** Newest modification time under `path` (ms); -Infinity where nothing is. */
export function newestChange(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return -Infinity;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

function require_(module) {
  try {
    return createRequire(import.meta.url).resolve(module);
  } catch {
    throw new Error(`building needs the dev dependencies (${module} is missing): run npm ci`);
  }
}

/** The files package.json's exports and bin point at (the bin imports dist/cli/main.js). */
function entryFiles() {
  const { exports } = JSON.parse(readFileSync('package.json', 'utf8'));
  const targets = Object.values(exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target)));
  return [...targets, 'dist/cli/main.js'];
}

process.chdir(ROOT);
// tsc -b trusts that what it emitted before is still there: with any entry point gone, start over
if (process.argv.includes('--clean') || !entryFiles().every((file) => existsSync(file))) rmSync('dist', { recursive: true, force: true });

if (newestChange(COMPILED) < Math.max(newestChange('src'), ...CONFIGS.map(newestChange))) {
  console.log('compiling src/ into dist/ ...');
  // -b: the Worker's project and the one it references, each only when its inputs changed
  execFileSync(process.execPath, [require_('typescript/bin/tsc'), '-b', 'tsconfig.build-worker.json'], { stdio: 'inherit' });
}
// dereferenced: src/worker/highs.wasm is a link into node_modules
if (newestChange(WASM[1]) < newestChange(WASM[0])) copyFileSync(WASM[0], WASM[1]);
await import('./build-playground.mjs');
