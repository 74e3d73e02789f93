import 'server-only';
import { beforeDeadline } from '@/lib/deadline';
import { retryOnceOnClosedConnection, unlessDatabaseDown } from '@/lib/db/errors';
import { env, EnvError } from '@/lib/env';
import { applyEvent } from './apply';
import { clerkUserIdOf, parseClerkEvent, type ClerkEvent } from './events';
import { recordDelivery } from './ledger';
import { logDelivery } from './log';
import { STATUS_BY_OUTCOME, type DeliveryOutcome, type DeliveryResult } from './outcome';
import { readBodyWithin } from './read-body';
import { svixHeadersFrom, verifySignature, type SvixHeaders } from './verify';

/** Clerk user payloads are a few KB; anything near this is not a Clerk event. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Svix abandons a delivery after 15 s. Past this, answer 503 whatever the
 * database is doing (a hung socket can outlast the driver's own timeouts) and
 * let Svix retry; a write that still lands later is harmless, every write
 * being idempotent. The 7 s left are for what this clock cannot see: the wait
 * before the handler ran and the answer's way out of a busy instance.
 */
const DELIVERY_DEADLINE_MS = 8_000;

/** Svix retries a 503 on its own schedule; this only tells other senders (and people) when to try again. */
const RETRY_AFTER_SECONDS = '10';

type Delivery = { rawBody: string; headers: SvixHeaders; startedAt: number };

/** What the route sends back: status, a short JSON body, and Retry-After with a 503. */
export type WebhookReply = { status: number; body: { outcome: DeliveryOutcome; message: string }; headers: Record<string, string> };

/** What a verified body asks for: an event to apply, or an outcome its shape already decides. */
type Classified =
  | { kind: 'apply'; event: ClerkEvent; type: string; clerkId: string }
  | { kind: 'decided'; outcome: 'ignored' | 'schema_violation'; message: string; type?: string; clerkId?: undefined };

type Identified = Pick<DeliveryResult, 'svixId' | 'type' | 'clerkId'> & { svixId: string };

/**
 * The whole receiving pipeline for one Clerk delivery, from the request to
 * what the route sends: read the body within its limit, verify, parse, apply
 * through the order guard, record in the ledger (which recognises replays),
 * map the outcome to its status and log one line. Always a typed outcome: a
 * bug becomes `internal_error` with no details, so neither the response nor
 * the log carries a stack trace or payload data.
 */
export async function receiveClerkWebhook(request: Request): Promise<WebhookReply> {
  const startedAt = performance.now();
  const headers = svixHeadersFrom(request.headers);
  const result = await receive(request, headers, startedAt).catch((error: unknown): DeliveryResult => ({
    outcome: 'internal_error',
    message: 'internal error',
    svixId: headers['svix-id'],
    cause: error instanceof Error ? error.name : typeof error,
  }));
  const status = STATUS_BY_OUTCOME[result.outcome];
  logDelivery(result, status, startedAt);
  return {
    status,
    body: { outcome: result.outcome, message: result.message },
    headers: status === 503 ? { 'Retry-After': RETRY_AFTER_SECONDS } : {},
  };
}

async function receive(request: Request, headers: SvixHeaders, startedAt: number): Promise<DeliveryResult> {
  // Checked before anything is parsed, from Content-Length or while streaming.
  const rawBody = await readBodyWithin(request, MAX_BODY_BYTES);
  if (rawBody === null) return { outcome: 'too_large', message: `body exceeds ${MAX_BODY_BYTES} bytes` };
  return receiveBody({ rawBody, headers, startedAt });
}

async function receiveBody({ rawBody, headers, startedAt }: Delivery): Promise<DeliveryResult> {
  const secret = webhookSecret();
  if (!secret.ok) return { outcome: 'not_configured', message: secret.message };

  const verification = verifySignature(secret.secret, rawBody, headers);
  if (!verification.ok) return { outcome: 'bad_signature', message: verification.reason };
  const { svixId, sentAt } = verification;

  let payload: unknown;
  try {
    payload = JSON.parse(rawBody);
  } catch {
    return { outcome: 'malformed', message: 'body is not valid JSON', svixId };
  }

  const classified = classify(payload);
  const base: Identified = { svixId, type: classified.type, clerkId: classified.clerkId };
  const unavailable: DeliveryResult = { ...base, outcome: 'unavailable', message: 'database unavailable, retry later' };
  const remainingMs = DELIVERY_DEADLINE_MS - (performance.now() - startedAt);
  return unlessDatabaseDown(
    () =>
      beforeDeadline(
        retryOnceOnClosedConnection(() => settle(classified, base, sentAt, startedAt)),
        remainingMs,
        unavailable,
      ),
    () => unavailable,
  );
}

function classify(payload: unknown): Classified {
  const parsed = parseClerkEvent(payload);
  switch (parsed.kind) {
    case 'event':
      return { kind: 'apply', event: parsed.event, type: parsed.event.type, clerkId: clerkUserIdOf(parsed.event) };
    case 'unknown_type':
      return { kind: 'decided', outcome: 'ignored', message: `event type ${parsed.type} is not handled`, type: parsed.type };
    case 'invalid':
      return { kind: 'decided', outcome: 'schema_violation', message: parsed.reason, type: parsed.type };
  }
}

/**
 * Everything that needs the database: the write, then the ledger entry.
 * Ignored events and schema violations get a ledger entry too, so the admin
 * page shows every signed delivery. There is no replay lookup before the
 * write: every write is idempotent and order-guarded, so a redelivered event
 * re-applies as a no-op and the ledger insert, refused for a svix-id already
 * answered with a 2xx, is what reports it as a duplicate. One round trip
 * fewer on every first delivery, the case that matters. The ledger is written
 * after the user write, so a crash in between means a retry that re-applies.
 */
async function settle(classified: Classified, base: Identified, sentAt: Date, startedAt: number): Promise<DeliveryResult> {
  const outcome = classified.kind === 'apply' ? await applyEvent(classified.event, sentAt) : classified.outcome;
  const recorded = await recordDelivery({
    svixId: base.svixId,
    type: base.type ?? 'unknown',
    clerkId: base.clerkId ?? null,
    outcome,
    status: STATUS_BY_OUTCOME[outcome],
    receivedAt: new Date(),
    durationMs: Math.round(performance.now() - startedAt),
  });
  if (recorded === 'already_acknowledged') return { ...base, outcome: 'duplicate', message: 'already processed' };
  return { ...base, outcome, message: classified.kind === 'apply' ? outcome : classified.message };
}

let reportedProblem: string | undefined;

type Secret = { ok: true; secret: string } | { ok: false; message: string };

/**
 * The secret as the environment holds it now (env() parses it again when
 * `next dev` reloads a changed .env.local), or why there is none: unset, or
 * set but malformed, naming the rule and never the value. Each new problem is
 * logged once.
 */
function webhookSecret(): Secret {
  try {
    const secret = env().webhookSecret;
    return secret
      ? { ok: true, secret }
      : { ok: false, message: 'the webhook signing secret is not configured on the server (CLERK_WEBHOOK_SECRET)' };
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    if (reportedProblem !== error.message) console.error(error.message);
    reportedProblem = error.message;
    return { ok: false, message: `the webhook signing secret is malformed: ${error.problems.join('; ')}` };
  }
}
