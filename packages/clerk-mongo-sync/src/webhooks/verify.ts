import { Webhook, WebhookVerificationError } from 'svix';

const SVIX_HEADERS = ['svix-id', 'svix-timestamp', 'svix-signature'] as const;
export type SvixHeaders = Partial<Record<(typeof SVIX_HEADERS)[number], string>>;

export type Verification = { ok: true; svixId: string; sentAt: Date } | { ok: false; reason: string };

/** Reads the three svix headers into the plain object svix's verify() needs (it fails on a fetch Headers). */
export function svixHeadersFrom(headers: Headers): SvixHeaders {
  const picked: SvixHeaders = {};
  for (const name of SVIX_HEADERS) {
    const value = headers.get(name);
    if (value !== null) picked[name] = value;
  }
  return picked;
}

/**
 * Verifies the signature over the exact raw body, as Svix signs it: a 5-minute
 * timestamp tolerance either way, and any one of several space-separated
 * signatures (secret rotation) may match.
 */
export function verifySignature(secret: string, rawBody: string, headers: SvixHeaders): Verification {
  const svixId = headers['svix-id'];
  if (!svixId || !headers['svix-timestamp'] || !headers['svix-signature']) {
    return { ok: false, reason: 'missing svix-id, svix-timestamp or svix-signature header' };
  }
  try {
    new Webhook(secret).verify(rawBody, headers);
  } catch (error) {
    if (error instanceof WebhookVerificationError) return { ok: false, reason: error.message.toLowerCase() };
    throw error;
  }
  // Read the timestamp exactly as svix did when it checked the tolerance.
  return { ok: true, svixId, sentAt: new Date(Number.parseInt(headers['svix-timestamp'], 10) * 1000) };
}
