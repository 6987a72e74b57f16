import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { configDefaults, defineConfig } from 'vitest/config';

/** The admin token of the workerd tests of tenants (test/worker/tenants), a binding as `wrangler secret put` makes it. */
const WORKERD_ADMIN_TOKEN = 'workerd-admin-t0ken';

export default defineConfig({
  test: {
    // dist/ built, for the tests that run `inferno-edge` and pack the package
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/worker/**'],
          environment: 'node',
        },
      },
      {
        // Inside workerd, with the Worker and Durable Objects of wrangler.toml, no token set.
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/worker/tenants/**'],
        },
      },
      {
        // The same with INFERNO_TOKEN set: system tokens, scopes, revocation.
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' }, miniflare: { bindings: { INFERNO_TOKEN: WORKERD_ADMIN_TOKEN } } })],
        test: {
          name: 'worker-tenants',
          include: ['test/worker/tenants/**/*.test.ts'],
        },
      },
    ],
  },
});
