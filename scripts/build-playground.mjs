// `npm start` and the Worker serve the playground at /: build it first when it is missing or older than its sources.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

const OUTPUT = 'dist/playground/index.html';
const SOURCES = ['playground', 'src/core', 'src/samples', 'src/highs'];

function newestChange(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

function builtAt() {
  try {
    return statSync(OUTPUT).mtimeMs;
  } catch {
    return -Infinity;
  }
}

if (builtAt() < Math.max(...SOURCES.map(newestChange))) {
  console.log('building the playground into dist/playground/ ...');
  await build({ configFile: 'playground/vite.config.ts', logLevel: 'warn' });
}
