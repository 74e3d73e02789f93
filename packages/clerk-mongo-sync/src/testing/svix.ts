/**
 * Signs payloads exactly as Svix does (svix's own Webhook.sign over
 * `${id}.${timestamp}.${body}`), so a receiver verifies test deliveries with
 * the same code path as real ones.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'svix';

/** A fresh `whsec_` secret, 32 random bytes, like the Clerk dashboard issues. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** A delivery as Svix sends it: the exact body and the three `svix-*` headers (plus Content-Type). */
export type SignedWebhook = { body: string; headers: Record<string, string>; svixId: string };

export type SignOptions = {
  /** Default: a fresh `msg_…` id. The same id again is a redelivery. */
  svixId?: string;
  /** Default: now. Svix's receivers refuse one more than 5 minutes off. */
  timestamp?: Date;
  /** The exact body to sign and send; default `JSON.stringify(payload)`. */
  body?: string;
};

/** `payload` signed with `secret` exactly as Svix signs a delivery. */
export function signWebhook(secret: string, payload: unknown, options: SignOptions = {}): SignedWebhook {
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

/** POSTs a signed delivery to a running server, as Svix does: redirects are not followed. */
export async function postWebhook(url: string, delivery: SignedWebhook): Promise<Response> {
  // Svix follows no redirect: a 3xx is a failed attempt, so it must show as one here.
  return fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body, redirect: 'manual' });
}
