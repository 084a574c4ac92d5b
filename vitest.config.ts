import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Tests that train models are CPU-bound; two cores, so at most two files at once.
    maxWorkers: 2,
    pool: 'forks',
  },
});
