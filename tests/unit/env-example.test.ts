/**
 * `.env.local.example` copied as it is must start the app: parsed the way
 * Next loads .env files, it passes the app's schema once `npm run dev` adds
 * the embedded database, and it sets no Clerk key (so the pages explain how
 * to get keys, where a placeholder would pass for a malformed key) and no
 * webhook secret (placeholders would count as real values).
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEnvConfig, resetEnv } from '@next/env';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkEnv, ENV_VARIABLES } from '@/lib/env/schema';
import { DEV_DATABASE_URI } from '../../tools/lib/local-env';

const EXAMPLE = path.resolve(__dirname, '..', '..', '.env.local.example');

let copied: Record<string, string | undefined>;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'clerk-mongo-sync-env-example-'));
  copyFileSync(EXAMPLE, path.join(dir, '.env.local'));
  // Next's own loader as `next dev` runs it, on a folder holding nothing but the copy (under NODE_ENV=test it skips .env.local).
  vi.stubEnv('NODE_ENV', 'development');
  const { loadedEnvFiles } = loadEnvConfig(dir, true, { info: () => {}, error: () => {} }, true);
  vi.unstubAllEnvs();
  copied = loadedEnvFiles.find((file) => file.path === '.env.local')?.env ?? {};
});

afterAll(() => {
  resetEnv();
  rmSync(dir, { recursive: true, force: true });
});

const CLERK_KEYS = ['NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY', 'CLERK_SECRET_KEY'];
const WEBHOOK_SECRETS = ['CLERK_WEBHOOK_SECRET', 'CLERK_WEBHOOK_SIGNING_SECRET'];

describe('.env.local.example copied as it is', () => {
  it('is read by Next (the sign-in pages it sets arrive)', () => {
    expect(copied).toMatchObject({ NEXT_PUBLIC_CLERK_SIGN_IN_URL: '/sign-in', NEXT_PUBLIC_CLERK_SIGN_UP_URL: '/sign-up' });
  });

  it('passes the app’s configuration schema with the MONGODB_URI npm run dev supplies', () => {
    expect(checkEnv({ ...copied, MONGODB_URI: DEV_DATABASE_URI })).toMatchObject({ ok: true });
  });

  it('sets no Clerk key, so the pages explain how to get keys instead of rejecting a placeholder', () => {
    for (const key of CLERK_KEYS) expect(copied[key], key).toBeUndefined();
  });

  it('sets no webhook secret and no database, leaving both to their documented defaults', () => {
    for (const key of [...WEBHOOK_SECRETS, 'MONGODB_URI', 'MONGODB_DB']) expect(copied[key], key).toBeUndefined();
  });

  it('documents every variable the app reads', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    const variables = [...ENV_VARIABLES, 'CLERK_JWT_KEY' /* read by middleware.ts, outside the schema */];
    for (const variable of variables) expect(text, variable).toMatch(new RegExp(`^#? ?${variable}=`, 'm'));
  });
});
