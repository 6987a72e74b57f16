import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { configDefaults, defineConfig } from 'vitest/config';

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
        // Inside workerd, with the Worker and Durable Object of wrangler.toml.
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
        },
      },
    ],
  },
});
