/** src/api runs in workerd too: web-standard APIs only, nothing from Node. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const DIR = new URL('../../src/api/', import.meta.url);

describe('src/api', () => {
  it.each(readdirSync(DIR).filter((file) => file.endsWith('.ts')))('%s uses no Node API', (file) => {
    const source = readFileSync(new URL(file, DIR), 'utf8');
    expect(source).not.toMatch(/from ['"]node:|require\(|\bprocess\.|\bBuffer\b|__dirname/);
    for (const [, module] of source.matchAll(/from '([^']+)'/g)) expect(module).toMatch(/^(\.|zod$|itty-router$)/);
  });
});
