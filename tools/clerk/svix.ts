/**
 * Signs payloads exactly as Svix does (svix's own Webhook.sign over
 * `${id}.${timestamp}.${body}`), so the app verifies test deliveries with the
 * same code path as real ones.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'svix';

/** A fresh `whsec_` secret, 32 random bytes, like the Clerk dashboard issues. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export type SignedDelivery = { body: string; headers: Record<string, string>; svixId: string };

export function signDelivery(
  secret: string,
  payload: unknown,
  options: { svixId?: string; timestamp?: Date; body?: string } = {},
): SignedDelivery {
  const body = options.body ?? JSON.stringify(payload);
  const svixId = options.svixId ?? `msg_${randomBytes(14).toString('hex')}`;
  const timestamp = options.timestamp ?? new Date();
  const signature = new Webhook(secret).sign(svixId, timestamp, body);
  return {
    body,
    svixId,
    headers: {
      'content-type': 'application/json',
      'svix-id': svixId,
      'svix-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'svix-signature': signature,
    },
  };
}

/** POSTs a signed delivery to a running server. */
export async function postDelivery(url: string, delivery: SignedDelivery): Promise<Response> {
  // Svix follows no redirect: a 3xx is a failed attempt, so it must show as one here.
  return fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body, redirect: 'manual' });
}
