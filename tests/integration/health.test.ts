/**
 * GET /api/health against a database of its own, which the test then stops:
 * the same cached client must report the outage quickly instead of hanging.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '@/package.json';
import { GET } from '@/app/api/health/route';
import { mongoClient } from '@/lib/db/client';
import { startLocalDb, type LocalDb } from '../../tools/db/local-db';

let server: LocalDb;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'clerk-mongo-sync-health-'));
  server = await startLocalDb({ dataDir });
  process.env.MONGODB_URI = server.uri;
});

afterAll(async () => {
  await mongoClient().close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('GET /api/health', () => {
  it('answers 200 with db "up" and the app version when the database answers', async () => {
    const response = await GET();
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ ok: true, db: 'up', version: packageJson.version });
  });

  it('answers 503 with db "down" within two seconds once the database is stopped', async () => {
    await server.stop();
    const startedAt = Date.now();
    const response = await GET();
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ ok: false, db: 'down' });

    // Later checks wait on server selection, not a dropped socket: the timeout must cut them short.
    const again = Date.now();
    expect((await GET()).status).toBe(503);
    expect(Date.now() - again).toBeLessThan(2_000);
  });
});
