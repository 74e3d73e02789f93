import { describe, expect, it } from 'vitest';
import { clerkModeLines, mongodbUriSource, webhookSecretLines } from '../../tools/dev/summary';
import { newWebhookSecret } from '../../tools/clerk/svix';
import { TEST_CLERK_KEYS } from '../../tools/harness/next-server';

describe("npm run dev's start-up summary", () => {
  it('says keyless mode when no Clerk key is set at all', () => {
    expect(clerkModeLines({})).toEqual([expect.stringMatching(/^▸ Clerk: keyless mode — .*needs internet/)]);
  });

  it('says the placeholder keys of an uncommented example cannot work, and how to fix it', () => {
    const lines = clerkModeLines({ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: 'pk_test_...', CLERK_SECRET_KEY: 'sk_test_...' });
    expect(lines[0]).toMatch(/^✘ Clerk: /);
    expect(lines[1]).toMatch(/^ {2}fix: copy both keys from the same instance/);
  });

  it("names a development instance's well-formed key pair", () => {
    expect(clerkModeLines(TEST_CLERK_KEYS)).toEqual([expect.stringMatching(/^▸ Clerk: pk_test\/sk_test pair from a development instance/)]);
  });

  it('says a missing or placeholder webhook secret, with npm run webhook -- secret as the local fix', () => {
    for (const env of [{}, { CLERK_WEBHOOK_SECRET: 'whsec_...' }]) {
      const [problem, fix] = webhookSecretLines(env);
      expect(problem).toMatch(/^✘ Webhook secret: /);
      expect(fix).toContain('npm run webhook -- secret');
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
});
