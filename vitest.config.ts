import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts', 'cli/**/*.test.ts', 'server/**/*.test.ts'],
    // Tests that boot QEMU or build guests are slow; each sets its own timeout.
    testTimeout: 20_000,
    pool: 'forks',
  },
});
