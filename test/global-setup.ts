/**
 * Before any test: dist/ up to date with the sources (scripts/build.mjs builds only what
 * changed), so that the tests of `inferno-edge` and of the packed package run what ships.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function buildDist(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });
}
