import { describe, expect, it } from 'vitest';
import { clerkModeLines, envReloadLines, mongodbUriSource, webhookSecretLines } from '../../tools/dev/summary';
import { newWebhookSecret } from 'clerk-mongo-sync/testing';
import { TEST_CLERK_KEYS } from '../../tools/harness/next-server';

describe("npm run dev's start-up summary", () => {
  it('says Clerk cannot start when no Clerk key is set, that the pages explain it, and both ways to get keys', () => {
    const [problem, fix] = clerkModeLines({});
    expect(problem).toMatch(/^✘ Clerk: neither .* is set: Clerk cannot start, so every page shows how to set them up/);
    expect(fix).toMatch(/^ {2}fix: .*Clerk Dashboard → API keys.*npx clerk@latest init/);
  });

  it('says the placeholder keys of an uncommented example cannot work, and how to fix it', () => {
    const lines = clerkModeLines({ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: 'pk_test_...', CLERK_SECRET_KEY: 'sk_test_...' });
    expect(lines[0]).toMatch(/^✘ Clerk: /);
    expect(lines[1]).toMatch(/^ {2}fix: copy both keys from the same instance/);
  });

  it("names a development instance's well-formed key pair", () => {
    expect(clerkModeLines(TEST_CLERK_KEYS)).toEqual([expect.stringMatching(/^▸ Clerk: pk_test\/sk_test pair from a development instance/)]);
  });

  it('says a missing or placeholder webhook secret, with npm run webhook -- secret --write as the local fix', () => {
    for (const env of [{}, { CLERK_WEBHOOK_SECRET: 'whsec_...' }]) {
      const [problem, fix] = webhookSecretLines(env);
      expect(problem).toMatch(/^✘ Webhook secret: /);
      expect(fix).toContain('npm run webhook -- secret --write');
    }
    expect(webhookSecretLines({ CLERK_WEBHOOK_SECRET: newWebhookSecret() })).toEqual([
      expect.stringMatching(/^▸ Webhook secret: CLERK_WEBHOOK_SECRET is set and well-formed/),
    ]);
  });

  it('tells a MONGODB_URI from the shell from one read from .env.local', () => {
    const files = [{ path: '.env.local', env: { MONGODB_URI: 'mongodb://db.example/app' } }];
    expect(mongodbUriSource(true, files)).toBe('your shell environment');
    expect(mongodbUriSource(false, files)).toBe('.env.local');
  });

  it('names the broken rule of a malformed secret, never the value', () => {
    const [problem] = webhookSecretLines({ CLERK_WEBHOOK_SECRET: 'whsec_c2hvcnQ=' });
    expect(problem).toMatch(/CLERK_WEBHOOK_SECRET is malformed: must be "whsec_" followed by base64 of at least 24 bytes/);
    expect(problem).not.toContain('whsec_c2hvcnQ=');
  });
});

describe('what npm run dev says when .env.local changes', () => {
  const secret = newWebhookSecret();

  it('says a new webhook secret applies from the next request, and checks it', () => {
    const lines = envReloadLines({}, { CLERK_WEBHOOK_SECRET: secret }, {});
    expect(lines).toEqual([
      '▸ .env.local changed: CLERK_WEBHOOK_SECRET',
      '  applies from the next request, no restart (Next reloaded the file): CLERK_WEBHOOK_SECRET',
      expect.stringMatching(/^▸ Webhook secret: CLERK_WEBHOOK_SECRET is set and well-formed/),
    ]);
    expect(envReloadLines({}, { CLERK_WEBHOOK_SECRET: 'whsec_bad' }, {}).at(-2)).toMatch(
      /^✘ Webhook secret: CLERK_WEBHOOK_SECRET is malformed/,
    );
  });

  it('says plainly that a database change needs a restart, and that the shell wins over the file', () => {
    const lines = envReloadLines(
      { MONGODB_URI: 'mongodb://a/app' },
      { MONGODB_URI: 'mongodb://b/app', ADMIN_USER_IDS: 'user_1' },
      { ADMIN_USER_IDS: 'user_2' },
    );
    expect(lines).toContain('✘ MONGODB_URI: restart npm run dev to use it (the database is chosen at start)');
    expect(lines).toContain(
      '✘ ADMIN_USER_IDS: also set in the shell that started npm run dev, which wins over .env.local; unset it there and restart',
    );
  });

  it('says nothing when the file was saved without a change', () => {
    expect(envReloadLines({ DELETION_POLICY: 'delete' }, { DELETION_POLICY: 'delete' }, {})).toEqual([]);
  });
});
