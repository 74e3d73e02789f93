/**
 * GET /api/health against a database of its own, which the test then stops:
 * configuration and database are reported apart, and the same cached client
 * must report the outage quickly instead of hanging.
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
});

afterAll(async () => {
  await mongoClient().close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The webhook secret the newcomer's copied .env.local used to set: a placeholder, not a secret. */
const PLACEHOLDER_SECRET = 'whsec_...';
const SECRET_RULE = 'CLERK_WEBHOOK_SECRET must be "whsec_" followed by base64 of at least 24 bytes';

async function answer(): Promise<{ status: number; cacheControl: string | null; body: Record<string, unknown>; text: string }> {
  const response = await GET();
  const text = await response.text();
  return {
    status: response.status,
    cacheControl: response.headers.get('cache-control'),
    body: JSON.parse(text) as Record<string, unknown>,
    text,
  };
}

// In order: the client reads MONGODB_URI once valid, so the cases without a usable one come first.
describe('GET /api/health', () => {
  it('answers 500 with config "invalid" and db "not_configured" when MONGODB_URI is malformed, without echoing it', async () => {
    process.env.MONGODB_URI = 'postgres://admin:hunter2@db.example.com/app';
    const { status, body, text } = await answer();
    expect(status).toBe(500);
    expect(body).toEqual({
      ok: false,
      config: 'invalid',
      problems: ['MONGODB_URI must start with mongodb:// or mongodb+srv://'],
      db: 'not_configured',
    });
    expect(text).not.toMatch(/hunter2|db\.example\.com/);
  });

  it('answers 500 with config "invalid", the broken rule and db "up" when only the webhook secret is malformed', async () => {
    process.env.MONGODB_URI = server.uri;
    const secret = process.env.CLERK_WEBHOOK_SECRET;
    process.env.CLERK_WEBHOOK_SECRET = PLACEHOLDER_SECRET;
    try {
      const { status, body, text } = await answer();
      expect(status).toBe(500);
      expect(body).toMatchObject({ ok: false, config: 'invalid', db: 'up' });
      expect(body.problems).toEqual([expect.stringContaining(SECRET_RULE)]);
      expect(text).not.toContain(PLACEHOLDER_SECRET);
    } finally {
      process.env.CLERK_WEBHOOK_SECRET = secret;
    }
  });

  it('answers 200 with config "valid", db "up" and the app version when both are fine', async () => {
    const { status, cacheControl, body } = await answer();
    expect(status).toBe(200);
    expect(cacheControl).toBe('no-store');
    expect(body).toEqual({ ok: true, config: 'valid', db: 'up', version: packageJson.version });
  });

  it('answers 503 with db "down" within two seconds once the database is stopped, whatever the configuration', async () => {
    await server.stop();
    const startedAt = Date.now();
    const { status, body } = await answer();
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(status).toBe(503);
    expect(body).toEqual({ ok: false, config: 'valid', db: 'down' });

    // Later checks wait on server selection, not a dropped socket: the timeout must cut them short.
    const again = Date.now();
    expect((await GET()).status).toBe(503);
    expect(Date.now() - again).toBeLessThan(2_000);

    process.env.PRESENCE_WINDOW_SECONDS = '5';
    try {
      const { status: both, body: bothBody } = await answer();
      expect(both).toBe(503);
      expect(bothBody).toMatchObject({
        ok: false,
        config: 'invalid',
        problems: [expect.stringContaining('PRESENCE_WINDOW_SECONDS must be at least 120')],
        db: 'down',
      });
    } finally {
      delete process.env.PRESENCE_WINDOW_SECONDS;
    }
  });
});
