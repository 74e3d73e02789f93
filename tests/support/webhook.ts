/**
 * Delivers signed events straight to the real route handler (no HTTP server),
 * for integration tests.
 */
import { POST } from '@/app/api/webhooks/clerk/route';
import { signWebhook, type SignedWebhook } from 'clerk-mongo-sync/testing';

export type Answer = { status: number; body: { outcome: string; message: string }; headers: Headers };

export async function postToRoute(delivery: Pick<SignedWebhook, 'body' | 'headers'>): Promise<Answer> {
  const response = await POST(
    new Request('http://localhost/api/webhooks/clerk', { method: 'POST', headers: delivery.headers, body: delivery.body }),
  );
  return { status: response.status, body: (await response.json()) as Answer['body'], headers: response.headers };
}

/** Signs `payload` with the test secret and delivers it. */
export function deliver(payload: unknown, options: Parameters<typeof signWebhook>[2] = {}): Promise<Answer> {
  return postToRoute(signWebhook(process.env.CLERK_WEBHOOK_SECRET!, payload, options));
}
