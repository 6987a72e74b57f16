/** The README's "Use as a library" code is the code of examples/, which the package test runs. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url);
const README = readFileSync(new URL('README.md', ROOT), 'utf8');

/** The file without its opening comment lines: the code the README shows. */
function code(path: string): string {
  const lines = readFileSync(new URL(path, ROOT), 'utf8').split('\n');
  return lines.slice(lines.findIndex((line) => !line.startsWith('//'))).join('\n').trim();
}

describe('README examples', () => {
  it.each(['examples/node/optimize.mjs', 'examples/node/server.mjs', 'examples/worker/index.js', 'examples/page/main.js'])('%s is shown as it is', (path) => {
    expect(README).toContain(`\`\`\`js\n${code(path)}\n\`\`\``);
  });
});
