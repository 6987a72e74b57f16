// `npm version` runs this (the "version" script): src/api/version.ts gets package.json's new
// version, so that the Worker's bundle carries the version alone, not the whole package.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { version } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
writeFileSync(
  `${ROOT}src/api/version.ts`,
  `/** package.json's version, written there by scripts/write-version.mjs (\`npm version\` runs it); a test checks that they agree. */\nexport const VERSION = '${version}';\n`,
);
