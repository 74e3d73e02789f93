import { isDatabaseUnavailable, retryOnceOnClosedConnection, unlessDatabaseDown } from '../db/errors.js';
import { beforeDeadline } from '../deadline.js';
import type { Engine } from '../engine/engine.js';
import { ClerkSyncConfigError } from '../engine/options.js';
import type { Store } from '../engine/store.js';
import type { AppFields } from '../users/schema.js';
import { applyEvent } from './apply.js';
import { clerkOrgIdOf, clerkUserIdOf, parseClerkEvent, type ClerkEvent } from './events.js';
import { hookNameOf, runHook } from './hooks.js';
import { recordDelivery } from './ledger.js';
import { logDelivery } from './log.js';
import { STATUS_BY_OUTCOME, type DeliveryOutcome, type DeliveryResult } from './outcome.js';
import { readBodyWithin } from './read-body.js';
import { svixHeadersFrom, verifySignature, type SvixHeaders } from './verify.js';

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

/** What a route sends back: status, a short JSON body, and Retry-After with a 503. */
export type WebhookReply = { status: number; body: { outcome: DeliveryOutcome; message: string }; headers: Record<string, string> };

/** What a verified body asks for: an event to apply, or an outcome its shape already decides. */
type Classified =
  | { kind: 'apply'; event: ClerkEvent; type: string; clerkId: string | undefined; clerkOrgId: string | undefined }
  | {
      kind: 'decided';
      outcome: 'ignored' | 'schema_violation';
      message: string;
      type?: string;
      clerkId?: undefined;
      clerkOrgId?: undefined;
    };

type Identified = Pick<DeliveryResult, 'svixId' | 'type' | 'clerkId' | 'clerkOrgId'> & { svixId: string };

/**
 * The whole receiving pipeline for one Clerk delivery, from the request to
 * what the route sends: read the body within its limit, verify, parse, apply
 * through the order guard, run the adopter's hook, record in the ledger
 * (which recognises replays), map the outcome to its status and log one
 * line. Always a typed outcome: a bug becomes `internal_error` with no
 * details, so neither the response nor the log carries a stack trace or
 * payload data (a mistake in the options is named in the log: it holds none).
 */
export async function receiveClerkWebhook<Fields extends AppFields>(engine: Engine<Fields>, request: Request): Promise<WebhookReply> {
  const startedAt = performance.now();
  const headers = svixHeadersFrom(request.headers);
  const result = await receive(engine, request, headers, startedAt).catch((error: unknown): DeliveryResult => ({
    outcome: 'internal_error',
    message: 'internal error',
    svixId: headers['svix-id'],
    cause: error instanceof ClerkSyncConfigError ? `${error.name}: ${error.message}` : error instanceof Error ? error.name : typeof error,
  }));
  const status = STATUS_BY_OUTCOME[result.outcome];
  logDelivery(engine.log, result, status, startedAt);
  return {
    status,
    body: { outcome: result.outcome, message: result.message },
    headers: status === 503 ? { 'Retry-After': RETRY_AFTER_SECONDS } : {},
  };
}

async function receive<Fields extends AppFields>(
  engine: Engine<Fields>,
  request: Request,
  headers: SvixHeaders,
  startedAt: number,
): Promise<DeliveryResult> {
  // Checked before anything is parsed, from Content-Length or while streaming.
  const rawBody = await readBodyWithin(request, MAX_BODY_BYTES);
  if (rawBody === null) return { outcome: 'too_large', message: `body exceeds ${MAX_BODY_BYTES} bytes` };
  return receiveBody(engine, { rawBody, headers, startedAt });
}

async function receiveBody<Fields extends AppFields>(
  engine: Engine<Fields>,
  { rawBody, headers, startedAt }: Delivery,
): Promise<DeliveryResult> {
  const secret = engine.webhookSecret();
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

  const classified = classify(engine, payload);
  const base: Identified = { svixId, type: classified.type, clerkId: classified.clerkId, clerkOrgId: classified.clerkOrgId };
  const unavailable: DeliveryResult = { ...base, outcome: 'unavailable', message: 'database unavailable, retry later' };
  const remainingMs = DELIVERY_DEADLINE_MS - (performance.now() - startedAt);
  return unlessDatabaseDown(
    async () => {
      const store = await engine.store();
      return beforeDeadline(
        retryOnceOnClosedConnection(
          () => settle(engine, store, classified, base, sentAt, startedAt),
          () => store.capabilities.retryableWrites,
        ),
        remainingMs,
        unavailable,
      );
    },
    () => unavailable,
  );
}

function classify<Fields extends AppFields>(engine: Engine<Fields>, payload: unknown): Classified {
  const parsed = parseClerkEvent(payload);
  if (parsed.kind !== 'invalid' && !engine.handles(parsed.kind === 'event' ? parsed.event.type : parsed.type)) {
    const type = parsed.kind === 'event' ? parsed.event.type : parsed.type;
    return { kind: 'decided', outcome: 'ignored', message: `event type ${type} is not handled`, type };
  }
  switch (parsed.kind) {
    case 'event':
      return {
        kind: 'apply',
        event: parsed.event,
        type: parsed.event.type,
        clerkId: clerkUserIdOf(parsed.event) ?? undefined,
        clerkOrgId: clerkOrgIdOf(parsed.event) ?? undefined,
      };
    case 'unknown_type':
      return { kind: 'decided', outcome: 'ignored', message: `event type ${parsed.type} is not handled`, type: parsed.type };
    case 'invalid':
      return { kind: 'decided', outcome: 'schema_violation', message: parsed.reason, type: parsed.type };
  }
}

/**
 * Everything that needs the database: the write, the adopter's hook, then
 * the ledger entry. Ignored events and schema violations get a ledger entry
 * too, so an admin view shows every signed delivery. There is no replay
 * lookup before the write: every write is idempotent and order-guarded, so a
 * redelivered event re-applies as a no-op and the ledger insert, refused for
 * a svix-id already answered with a 2xx, is what reports it as a duplicate.
 * One round trip fewer on every first delivery, the case that matters. The
 * ledger is written after the write and the hook, so a crash in between
 * means a retry that re-applies and runs the hook again.
 */
async function settle<Fields extends AppFields>(
  engine: Engine<Fields>,
  store: Store,
  classified: Classified,
  base: Identified,
  sentAt: Date,
  startedAt: number,
): Promise<DeliveryResult> {
  let outcome: DeliveryOutcome =
    classified.kind === 'apply' ? await applyEvent(engine, store, classified.event, sentAt) : classified.outcome;
  let failure: Pick<DeliveryResult, 'cause' | 'hook' | 'message'> | undefined;
  if (classified.kind === 'apply') {
    try {
      await runHook(engine, store, classified.event, base.svixId);
    } catch (error) {
      const hook = hookNameOf(classified.type);
      const cause = error instanceof Error ? error.name : typeof error;
      outcome = isDatabaseUnavailable(error) ? 'unavailable' : 'hook_failed';
      const message = outcome === 'unavailable' ? 'database unavailable, retry later' : `${hook} failed; retry later`;
      failure = { hook, cause, message };
    }
  }
  const recorded = await recordDelivery(store, {
    svixId: base.svixId,
    type: base.type ?? 'unknown',
    clerkId: base.clerkId ?? null,
    ...(base.clerkOrgId ? { clerkOrgId: base.clerkOrgId } : {}),
    outcome,
    status: STATUS_BY_OUTCOME[outcome],
    receivedAt: new Date(),
    durationMs: Math.round(performance.now() - startedAt),
  });
  if (recorded === 'already_acknowledged') return { ...base, outcome: 'duplicate', message: 'already processed' };
  if (failure) return { ...base, outcome, ...failure };
  return { ...base, outcome, message: classified.kind === 'apply' ? outcome : classified.message };
}
