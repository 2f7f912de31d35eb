import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/memory/**/*.test.ts', 'tests/build/**/*.test.ts', 'tests/vectors/**/*.test.ts', 'tests/scenario/**/*.test.ts', 'tests/server/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['tests/setup/sodium.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['tests/setup/sodium.ts'],
          // One browser fleet, one LiveKit and one namespace: run files one after another.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
