/**
 * Delivers signed events straight to an engine's pipeline (a web Request in,
 * a Response out: no HTTP server), for integration tests.
 */
import type { ClerkSync } from '../../src/engine/create.js';

/** What a delivery needs of an engine, whatever its app fields. */
type Receiver = Pick<ClerkSync, 'handleWebhook'>;
import { signWebhook, type SignedWebhook, type SignOptions } from '../../src/testing/svix.js';
import { clerkSync } from './engine.js';

export type Answer = { status: number; body: { outcome: string; message: string }; headers: Headers };

export function webhookRequest(delivery: Pick<SignedWebhook, 'body' | 'headers'>): Request {
  return new Request('http://localhost/api/webhooks/clerk', { method: 'POST', headers: delivery.headers, body: delivery.body });
}

export async function postToRoute(delivery: Pick<SignedWebhook, 'body' | 'headers'>, sync: Receiver = clerkSync): Promise<Answer> {
  const response = await sync.handleWebhook(webhookRequest(delivery));
  return { status: response.status, body: (await response.json()) as Answer['body'], headers: response.headers };
}

/** Signs `payload` with the test secret and delivers it. */
export function deliver(payload: unknown, options: SignOptions = {}, sync: Receiver = clerkSync): Promise<Answer> {
  return postToRoute(signWebhook(process.env.CLERK_WEBHOOK_SECRET!, payload, options), sync);
}
