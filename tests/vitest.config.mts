import path from 'node:path';
import { defineConfig } from 'vitest/config';

const root = path.resolve(import.meta.dirname, '..');
const engine = path.join(root, 'packages/clerk-mongo-sync/src');

const shared = {
  root,
  alias: [
    { find: '@', replacement: root },
    // Tests import server modules directly; `server-only` would throw outside React's server runtime.
    { find: 'server-only', replacement: path.join(root, 'tests/support/empty-module.ts') },
    // The engine from its source, in the app's tests as in its own: one module graph, no stale build.
    { find: /^clerk-mongo-sync$/, replacement: path.join(engine, 'index.ts') },
    { find: /^clerk-mongo-sync\/(next|node|testing)$/, replacement: path.join(engine, '$1.ts') },
    { find: /^clerk-mongo-sync\/cli$/, replacement: path.join(engine, 'cli/index.ts') },
  ],
};

export default defineConfig({
  test: {
    // Integration files mostly wait on the database and on outage timeouts; two at once halves the run on 2 cores.
    maxWorkers: 2,
    projects: [
      {
        resolve: { alias: shared.alias },
        test: {
          name: 'unit',
          root,
          include: ['tests/unit/**/*.test.ts', 'packages/clerk-mongo-sync/test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        resolve: { alias: shared.alias },
        test: {
          name: 'integration',
          root,
          include: ['tests/integration/**/*.test.ts', 'packages/clerk-mongo-sync/test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/support/global-db.ts'],
          setupFiles: ['tests/support/integration-env.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias: shared.alias },
        test: {
          name: 'adopters',
          root,
          include: ['tests/adopters/**/*.test.ts'],
          environment: 'node',
          // The packed tarball, installed once with the adopters' dependencies (offline), for every file.
          globalSetup: ['tests/support/global-db.ts', 'tests/adopters/support/install.ts'],
          setupFiles: ['tests/support/integration-env.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
      {
        resolve: { alias: shared.alias },
        test: {
          name: 'fault',
          root,
          include: ['tests/fault/**/*.test.ts'],
          environment: 'node',
          // One file at a time: each asserts answers within Svix's 15 s and must have the machine to itself.
          fileParallelism: false,
          // A phase's bound, not its expected time: the first one also builds the app.
          testTimeout: 600_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
