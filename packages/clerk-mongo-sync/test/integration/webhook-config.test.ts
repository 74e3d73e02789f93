/**
 * The webhook secret as deployed: missing or malformed means the receiver
 * fails closed (500, never 2xx, nothing written) and says which; Clerk's own
 * variable name works; a changed secret applies from the next delivery, as
 * when `next dev` reloads .env.local. Each case makes its engine afresh, as a
 * new server process would.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clerkUser, userCreatedEvent } from '../../src/testing/payloads.js';
import { newWebhookSecret, signWebhook, type SignedWebhook } from '../../src/testing/svix.js';
import { engine } from '../support/engine.js';
import { usersWithId } from '../support/sync-state.js';
import { postToRoute as postTo } from '../support/webhook.js';

const testSecret = process.env.CLERK_WEBHOOK_SECRET!;

/** An engine made afresh, with `secrets` as the environment; and what it left in the database. */
async function freshApp(secrets: { CLERK_WEBHOOK_SECRET?: string; CLERK_WEBHOOK_SIGNING_SECRET?: string }) {
  delete process.env.CLERK_WEBHOOK_SECRET;
  delete process.env.CLERK_WEBHOOK_SIGNING_SECRET;
  Object.assign(process.env, secrets);
  const sync = engine();
  return { postToRoute: (delivery: SignedWebhook) => postTo(delivery, sync), usersWithId };
}

afterEach(() => {
  process.env.CLERK_WEBHOOK_SECRET = testSecret;
  delete process.env.CLERK_WEBHOOK_SIGNING_SECRET;
  vi.restoreAllMocks();
});

describe('webhook secret configuration', () => {
  it('answers 500 "not_configured" when no secret is set, even to a correctly signed delivery, and writes nothing', async () => {
    const app = await freshApp({});
    const user = clerkUser();
    const answer = await app.postToRoute(signWebhook(testSecret, userCreatedEvent(user)));
    expect(answer).toMatchObject({
      status: 500,
      body: { outcome: 'not_configured', message: 'the webhook signing secret is not configured on the server (CLERK_WEBHOOK_SECRET)' },
    });
    expect(await app.usersWithId(user.id)).toEqual([]);
  });

  it('answers 500 when the secret is malformed, and logs which variable is wrong once, without the value', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void errors.push(String(line)));
    const malformed = 'whsec_tooShort';
    const app = await freshApp({ CLERK_WEBHOOK_SECRET: malformed });

    for (let attempt = 0; attempt < 2; attempt++) {
      const answer = await app.postToRoute(signWebhook(testSecret, userCreatedEvent(clerkUser())));
      expect(answer).toMatchObject({
        status: 500,
        body: {
          outcome: 'not_configured',
          message: expect.stringMatching(
            /^the webhook signing secret is malformed: CLERK_WEBHOOK_SECRET must be "whsec_" followed by base64 of at least 24 bytes/,
          ),
        },
      });
      expect(answer.body.message).not.toContain(malformed);
    }
    const reports = errors.filter((line) => line.includes('"webhook_secret_malformed"'));
    expect(reports).toHaveLength(1);
    expect(JSON.parse(reports[0]!)).toEqual({
      event: 'webhook_secret_malformed',
      problem: expect.stringMatching(/^CLERK_WEBHOOK_SECRET must be "whsec_" followed by base64 of at least 24 bytes/),
    });
    expect(errors.join('\n')).not.toContain(malformed);
  });

  it('verifies with a changed secret from the next delivery, without a restart, as next dev reloads .env.local', async () => {
    const app = await freshApp({ CLERK_WEBHOOK_SECRET: testSecret });
    expect((await app.postToRoute(signWebhook(testSecret, userCreatedEvent(clerkUser())))).body.outcome).toBe('applied');

    const rotated = newWebhookSecret();
    process.env.CLERK_WEBHOOK_SECRET = rotated; // what Next's env reload does to process.env
    const user = clerkUser();
    expect((await app.postToRoute(signWebhook(testSecret, userCreatedEvent(user)))).status).toBe(400);
    expect((await app.postToRoute(signWebhook(rotated, userCreatedEvent(user)))).body.outcome).toBe('applied');
    expect(await app.usersWithId(user.id)).toHaveLength(1);

    vi.spyOn(console, 'error').mockImplementation(() => {}); // the broken secret's one log line
    process.env.CLERK_WEBHOOK_SECRET = 'whsec_broken';
    expect((await app.postToRoute(signWebhook(rotated, userCreatedEvent(clerkUser())))).body.message).toMatch(/malformed/);
  });

  it('accepts the secret under CLERK_WEBHOOK_SIGNING_SECRET, the name Clerk documents', async () => {
    const secret = newWebhookSecret();
    const app = await freshApp({ CLERK_WEBHOOK_SIGNING_SECRET: secret });
    const user = clerkUser();
    expect((await app.postToRoute(signWebhook(secret, userCreatedEvent(user)))).body.outcome).toBe('applied');
    expect(await app.usersWithId(user.id)).toHaveLength(1);
  });
});
