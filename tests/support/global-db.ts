/**
 * Vitest global setup for integration tests: the server TEST_MONGODB_URI names
 * (e.g. a CI service container), else one the launcher starts for the run in a
 * throwaway data directory. Each test file then works in a database of its own
 * (see integration-env.ts), never the developer's data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalDb } from '../../tools/db/local-db';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'clerk-mongo-sync-test-'));
  // The TTL monitor every second, not every 60 s: the ledger's retention test sees an expired entry go at once.
  const server = await startLocalDb({ dataDir, existing: 'TEST_MONGODB_URI', serverParameters: { ttlMonitorSleepSecs: 1 } });
  console.log(`[tests] database: ${server.description} at ${server.uri}`);
  project.provide('mongoUri', server.uri);
  return async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
