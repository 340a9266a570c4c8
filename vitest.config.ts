import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/certificate.ts', 'test/setup/postgres.ts', 'test/setup/shared.ts'],
    setupFiles: ['test/setup/fake-servers.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: {
      forks: {
        // Vitest's default keeps one core for itself (one test process on two cores), but most test time is
        // spent waiting on spawned CLIs, fake servers and PostgreSQL: one test process per core.
        maxForks: Math.max(2, availableParallelism()),
      },
    },
  },
});
