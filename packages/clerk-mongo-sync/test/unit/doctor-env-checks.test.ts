import { describe, expect, it } from 'vitest';
import { describeServer, hostOf } from '../../src/cli/doctor/database-checks.js';
import { checkClerkKeyFormat, checkEnvironment, checkWebhookSecret, type ClerkKeyFormat } from '../../src/cli/doctor/env-checks.js';
import { newWebhookSecret } from '../../src/testing/svix.js';

/** The format verdict as the check shows it: the summary when well-formed, else the failed result. */
function checkClerkKeys(...args: Parameters<typeof checkClerkKeyFormat>): { ok: boolean; detail: string; fix?: string } {
  const format: ClerkKeyFormat = checkClerkKeyFormat(...args);
  return format.ok ? { ok: true, detail: format.summary } : format.result;
}

const pk = (kind: 'test' | 'live', host = 'clerk.example.com') => `pk_${kind}_${Buffer.from(`${host}$`).toString('base64')}`;

describe('doctor: configuration checks', () => {
  it('accepts a pk_test/sk_test pair and names the instance it belongs to', () => {
    const result = checkClerkKeys({
      NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: pk('test', 'happy-cat-12.clerk.accounts.dev'),
      CLERK_SECRET_KEY: 'sk_test_abc',
    });
    expect(result).toMatchObject({ ok: true, detail: expect.stringContaining('development instance (happy-cat-12.clerk.accounts.dev)') });
  });

  it('refuses keys from different instance types: pk_test with sk_live', () => {
    const result = checkClerkKeys({ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: pk('test'), CLERK_SECRET_KEY: 'sk_live_abc' });
    expect(result).toMatchObject({ ok: false, detail: expect.stringMatching(/pk_test_… is paired with sk_live_…/) });
    expect(result.fix).toMatch(/same instance/);
  });

  it('refuses a truncated publishable key and missing keys', () => {
    expect(checkClerkKeys({ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: 'pk_test_Y2xlcmsu', CLERK_SECRET_KEY: 'sk_test_abc' })).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/does not decode/),
    });
    expect(checkClerkKeys({})).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY.*CLERK_SECRET_KEY/),
    });
  });

  it('says that Clerk cannot start without keys, and both ways to get them', () => {
    const result = checkClerkKeys({});
    expect(result).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/neither NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY nor CLERK_SECRET_KEY.*cannot start/),
    });
    expect(result.fix).toMatch(/Clerk Dashboard → API keys.*npx clerk@latest init/);
  });

  it('refuses one key without the other, naming the missing one', () => {
    expect(checkClerkKeys({ CLERK_SECRET_KEY: 'sk_test_abc' })).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY is not set/),
    });
  });

  it('says the signing secret and the variables were checked for format only, and what checks them further', () => {
    expect(checkWebhookSecret({ CLERK_WEBHOOK_SECRET: newWebhookSecret() }).detail).toMatch(/format only; the signed round trip checks/);
    expect(checkEnvironment({ MONGODB_URI: 'mongodb://127.0.0.1:27017/app' }).detail).toMatch(/well-formed \(format only/);
  });

  it('names the command that writes a secret in its fix, as the wrapping script spells it', () => {
    expect(checkWebhookSecret({}).fix).toMatch(/clerk-mongo-sync secret --write puts one into \.env\.local/);
    expect(checkWebhookSecret({}, 'npm run webhook -- secret --write').fix).toMatch(/npm run webhook -- secret --write puts one/);
  });

  it('hands the well-formed secret key on, so Clerk is asked about exactly the key that was checked', () => {
    expect(checkClerkKeyFormat({ NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: pk('test'), CLERK_SECRET_KEY: ' sk_test_abc\n' })).toMatchObject({
      ok: true,
      secretKey: 'sk_test_abc',
    });
  });

  it('requires a well-formed signing secret under either name, and one secret when both are set', () => {
    const secret = newWebhookSecret();
    expect(checkWebhookSecret({ CLERK_WEBHOOK_SIGNING_SECRET: secret })).toMatchObject({
      ok: true,
      detail: expect.stringContaining('CLERK_WEBHOOK_SIGNING_SECRET'),
    });
    expect(checkWebhookSecret({})).toMatchObject({ ok: false, detail: expect.stringMatching(/neither/) });
    expect(checkWebhookSecret({ CLERK_WEBHOOK_SECRET: 'whsec_abc' })).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/malformed/),
    });
    expect(checkWebhookSecret({ CLERK_WEBHOOK_SECRET: secret, CLERK_WEBHOOK_SIGNING_SECRET: newWebhookSecret() })).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/different secrets; the app uses CLERK_WEBHOOK_SECRET/),
    });
  });

  it('requires MONGODB_URI, unless a wrapping script brings a database of its own, and names a malformed one', () => {
    expect(checkEnvironment({})).toMatchObject({ ok: false, detail: expect.stringContaining('MONGODB_URI is required') });
    const embedded = { uri: 'mongodb://127.0.0.1:27018/clerk_mongo_sync', fix: 'start it with npm run dev' };
    expect(checkEnvironment({}, embedded)).toMatchObject({
      ok: true,
      detail: expect.stringContaining('mongodb://127.0.0.1:27018/clerk_mongo_sync'),
    });
    expect(checkEnvironment({ MONGODB_URI: 'postgres://x' })).toMatchObject({
      ok: false,
      detail: expect.stringContaining('MONGODB_URI must start with mongodb://'),
    });
  });

  it('prints database hosts without credentials, and the server by its version', () => {
    expect(hostOf('mongodb+srv://app:s3cret@cluster0.abcde.mongodb.net/db?retryWrites=true')).toBe('cluster0.abcde.mongodb.net');
    expect(describeServer({ version: '7.0.14' })).toBe('MongoDB 7.0.14');
  });
});
