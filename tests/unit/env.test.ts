import { afterEach, describe, expect, it, vi } from 'vitest';
import { isWellFormedWebhookSecret } from 'clerk-mongo-sync';
import { EnvError, parseEnv } from '@/lib/env/schema';
import { newWebhookSecret } from 'clerk-mongo-sync/testing';

const MONGODB_URI = 'mongodb://127.0.0.1:27017/clerk_mongo_sync';

function errorOf(source: Record<string, string | undefined>): EnvError {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof EnvError) return error;
    throw error;
  }
  throw new Error('parseEnv accepted the configuration');
}

describe('env parsing: the webhook secret', () => {
  it('accepts the secret as CLERK_WEBHOOK_SECRET (the name in the seeds)', () => {
    const secret = newWebhookSecret();
    expect(parseEnv({ MONGODB_URI, CLERK_WEBHOOK_SECRET: secret }).webhookSecret).toBe(secret);
  });

  it("accepts the secret as CLERK_WEBHOOK_SIGNING_SECRET (the name Clerk's helper reads)", () => {
    const secret = newWebhookSecret();
    expect(parseEnv({ MONGODB_URI, CLERK_WEBHOOK_SIGNING_SECRET: secret }).webhookSecret).toBe(secret);
  });

  it('prefers CLERK_WEBHOOK_SECRET when both names are set', () => {
    const seeds = newWebhookSecret();
    expect(parseEnv({ MONGODB_URI, CLERK_WEBHOOK_SECRET: seeds, CLERK_WEBHOOK_SIGNING_SECRET: newWebhookSecret() }).webhookSecret).toBe(
      seeds,
    );
  });

  it('trims surrounding whitespace pasted with the secret', () => {
    const secret = newWebhookSecret();
    expect(parseEnv({ MONGODB_URI, CLERK_WEBHOOK_SECRET: `  ${secret}\n` }).webhookSecret).toBe(secret);
  });

  it('leaves the secret undefined when neither name is set or it is empty (the route then fails closed)', () => {
    expect(parseEnv({ MONGODB_URI }).webhookSecret).toBeUndefined();
    expect(parseEnv({ MONGODB_URI, CLERK_WEBHOOK_SECRET: '' }).webhookSecret).toBeUndefined();
  });

  const malformed: Array<[string, string]> = [
    ['no whsec_ prefix', Buffer.alloc(32, 7).toString('base64')],
    ['a Clerk secret key instead', 'sk_test_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['only 16 bytes', `whsec_${Buffer.alloc(16, 7).toString('base64')}`],
    ['not base64', 'whsec_this-is-not*base64!!this-is-not*base64!!'],
    ['truncated base64 (bad length)', `whsec_${Buffer.alloc(32, 7).toString('base64').slice(0, -3)}`],
    ['the prefix with a short tail', 'whsec_c2hvcnQ='],
  ];

  for (const [name, bad] of malformed) {
    it(`rejects a malformed secret (${name}) with a message naming the variable and the fix, under either name`, () => {
      for (const variable of ['CLERK_WEBHOOK_SECRET', 'CLERK_WEBHOOK_SIGNING_SECRET']) {
        const { message } = errorOf({ MONGODB_URI, [variable]: bad });
        expect(message).toContain(`${variable} must be "whsec_" followed by base64 of at least 24 bytes`);
        expect(message).toContain('Clerk Dashboard → Webhooks');
        expect(message).not.toContain(bad); // never echo a secret, even a wrong one
        expect(message).not.toMatch(/\n\s+at /); // a message, not a stack trace
      }
    });
  }

  it('accepts exactly 24 bytes, the documented minimum', () => {
    expect(isWellFormedWebhookSecret(`whsec_${Buffer.alloc(24, 1).toString('base64')}`)).toBe(true);
    expect(isWellFormedWebhookSecret(`whsec_${Buffer.alloc(23, 1).toString('base64')}`)).toBe(false);
  });
});

describe('env parsing: the rest of the configuration', () => {
  it('names MONGODB_URI and how to set it when it is missing', () => {
    expect(errorOf({}).message).toMatch(/MONGODB_URI is required: a mongodb:\/\/ or mongodb\+srv:\/\/ connection string/);
  });

  it('rejects a connection string with the wrong scheme', () => {
    expect(errorOf({ MONGODB_URI: 'postgres://localhost/db' }).message).toContain(
      'MONGODB_URI must start with mongodb:// or mongodb+srv://',
    );
  });

  it('lists every bad variable in one message', () => {
    const { message } = errorOf({ CLERK_WEBHOOK_SECRET: 'whsec_short', CLERK_SECRET_KEY: 'pk_test_swapped' });
    expect(message).toContain('MONGODB_URI');
    expect(message).toContain('CLERK_WEBHOOK_SECRET');
    expect(message).toContain('CLERK_SECRET_KEY');
    expect(message).toContain('Set these in .env.local');
  });

  it('parses optional settings with their defaults', () => {
    const parsed = parseEnv({ MONGODB_URI, ADMIN_USER_IDS: ' user_a, ,user_b ' });
    expect(parsed).toMatchObject({ MONGODB_URI, ADMIN_USER_IDS: ['user_a', 'user_b'] });
    expect(parsed.MONGODB_DB).toBeUndefined();
  });
});

describe('env parsing: DELETION_POLICY', () => {
  it('defaults to "delete" when unset or empty', () => {
    expect(parseEnv({ MONGODB_URI }).DELETION_POLICY).toBe('delete');
    expect(parseEnv({ MONGODB_URI, DELETION_POLICY: '' }).DELETION_POLICY).toBe('delete');
  });

  it('accepts "anonymize" (with stray whitespace)', () => {
    expect(parseEnv({ MONGODB_URI, DELETION_POLICY: ' anonymize\n' }).DELETION_POLICY).toBe('anonymize');
  });

  it('names the variable and both choices for anything else', () => {
    expect(errorOf({ MONGODB_URI, DELETION_POLICY: 'purge' }).message).toContain('DELETION_POLICY must be "delete"');
    expect(errorOf({ MONGODB_URI, DELETION_POLICY: 'purge' }).message).toContain('"anonymize"');
  });
});

describe('env(): each setting checked when read', () => {
  const MALFORMED_SECRET = 'whsec_...';
  afterEach(() => vi.unstubAllEnvs());

  it('reads the database settings while the webhook secret is malformed, and throws naming the secret only when it is read', async () => {
    vi.stubEnv('MONGODB_URI', MONGODB_URI);
    vi.stubEnv('CLERK_WEBHOOK_SECRET', MALFORMED_SECRET);
    const { env } = await import('@/lib/env');
    expect(env().MONGODB_URI).toBe(MONGODB_URI);
    expect(env().DELETION_POLICY).toBe('delete');
    expect(() => env().webhookSecret).toThrow(EnvError);
    expect(() => env().webhookSecret).toThrow(/CLERK_WEBHOOK_SECRET must be "whsec_"/);
    expect(() => env().webhookSecret).not.toThrow(/MONGODB_URI/);
  });

  it('offers exactly the settings a full parse produces', async () => {
    const { ENV_SETTINGS } = await import('@/lib/env/schema');
    const everySet = {
      MONGODB_URI,
      MONGODB_DB: 'app',
      CLERK_WEBHOOK_SECRET: newWebhookSecret(),
      CLERK_SECRET_KEY: 'sk_test_abc',
      CLERK_API_URL: 'http://127.0.0.1:9',
      NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: 'pk_test_abc',
    };
    expect([...ENV_SETTINGS].sort()).toEqual(Object.keys(parseEnv(everySet)).sort());
  });

  it('reports a problem by variable and rule, the rejected entries apart from the rule', async () => {
    const { findEnvProblems } = await import('@/lib/env/schema');
    const problems = findEnvProblems({ MONGODB_URI, APP_ORIGINS: 'https://app.example.com/path', CLERK_WEBHOOK_SECRET: MALFORMED_SECRET });
    expect(problems.map((problem) => problem.variable).sort()).toEqual(['APP_ORIGINS', 'CLERK_WEBHOOK_SECRET']);
    expect(JSON.stringify(problems.map(({ variable, rule }) => ({ variable, rule })))).not.toMatch(/app\.example\.com\/path|whsec_\.\.\./);
    expect(problems.find((problem) => problem.variable === 'APP_ORIGINS')?.rejected).toBe('https://app.example.com/path');
  });
});

describe('env parsing: PRESENCE_WINDOW_SECONDS', () => {
  const MONGODB_URI = 'mongodb://127.0.0.1:27017/clerk_mongo_sync';

  it('defaults to 300 seconds, unset or empty', () => {
    expect(parseEnv({ MONGODB_URI }).PRESENCE_WINDOW_SECONDS).toBe(300);
    expect(parseEnv({ MONGODB_URI, PRESENCE_WINDOW_SECONDS: '' }).PRESENCE_WINDOW_SECONDS).toBe(300);
  });

  it('accepts whole seconds from 120 to a day', () => {
    expect(parseEnv({ MONGODB_URI, PRESENCE_WINDOW_SECONDS: ' 600\n' }).PRESENCE_WINDOW_SECONDS).toBe(600);
    expect(parseEnv({ MONGODB_URI, PRESENCE_WINDOW_SECONDS: '120' }).PRESENCE_WINDOW_SECONDS).toBe(120);
    expect(parseEnv({ MONGODB_URI, PRESENCE_WINDOW_SECONDS: '86400' }).PRESENCE_WINDOW_SECONDS).toBe(86_400);
  });

  it('refuses a window shorter than heartbeats can keep up with, longer than a day, or not a number, naming the variable', () => {
    for (const value of ['119', '86401', '5m', '1.5']) {
      expect(() => parseEnv({ MONGODB_URI, PRESENCE_WINDOW_SECONDS: value })).toThrow(/PRESENCE_WINDOW_SECONDS must be/);
    }
  });
});
