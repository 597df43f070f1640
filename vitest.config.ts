import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Catalog tests import the full reBEN metadata once per file; keep files from competing for 2 cores.
    fileParallelism: false,
    pool: 'forks',
  },
})
