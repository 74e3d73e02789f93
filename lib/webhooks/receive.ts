import 'server-only';
import type { Db } from 'mongodb';
import { db, indexReport } from '@/lib/db/client';
import { isDatabaseUnavailable } from '@/lib/db/errors';
import { env, EnvError } from '@/lib/env';
import { applyEvent } from './apply';
import { clerkUserIdOf, parseClerkEvent } from './events';
import { pruneExpiredDeliveries, recordDelivery, wasProcessed } from './ledger';
import { STATUS_BY_OUTCOME, type DeliveryResult } from './outcome';
import { verifySignature, type SvixHeaders } from './verify';

/** Clerk user payloads are a few KB; anything near this is not a Clerk event. */
export const MAX_BODY_BYTES = 1024 * 1024;

type Delivery = { rawBody: string; headers: SvixHeaders; startedAt: number };

function webhookSecret(): string | undefined {
  try {
    return env().webhookSecret;
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      return undefined;
    }
    throw error;
  }
}

/**
 * The whole receiving pipeline for one Clerk delivery: verify, parse, skip
 * replays, apply through the order guard, record in the ledger. Returns a
 * typed outcome; throws only for bugs. The ledger is written after the user
 * write, so a crash in between means a retry that re-applies idempotently.
 */
export async function receiveClerkWebhook({ rawBody, headers, startedAt }: Delivery): Promise<DeliveryResult> {
  const secret = webhookSecret();
  if (!secret) return { outcome: 'not_configured', message: 'webhook secret is not configured on the server' };

  const verification = verifySignature(secret, rawBody, headers);
  if (!verification.ok) return { outcome: 'bad_signature', message: verification.reason };
  const { svixId, sentAt } = verification;

  let payload: unknown;
  try {
    payload = JSON.parse(rawBody);
  } catch {
    return { outcome: 'malformed', message: 'body is not valid JSON', svixId };
  }

  const parsed = parseClerkEvent(payload);
  if (parsed.kind === 'unknown_type') return { outcome: 'ignored', message: `event type ${parsed.type} is not handled`, svixId, type: parsed.type };
  if (parsed.kind === 'invalid') return { outcome: 'schema_violation', message: parsed.reason, svixId, type: parsed.type };

  const { event } = parsed;
  const base = { svixId, type: event.type, clerkId: clerkUserIdOf(event) };
  try {
    const database = await db();
    if (await wasProcessed(database, svixId)) return { ...base, outcome: 'duplicate', message: 'already processed' };

    const outcome = await applyEvent(event, sentAt);
    await recordDelivery(database, {
      svixId,
      type: event.type,
      clerkId: base.clerkId,
      outcome,
      status: STATUS_BY_OUTCOME[outcome],
      receivedAt: new Date(),
      durationMs: Math.round(performance.now() - startedAt),
    });
    await maintainLedger(database);
    return { ...base, outcome, message: outcome };
  } catch (error) {
    if (isDatabaseUnavailable(error)) return { ...base, outcome: 'unavailable', message: 'database unavailable, retry later' };
    throw error;
  }
}

/**
 * Ledger retention where the server cannot expire entries itself (FerretDB v1).
 * Cheap and rate-limited; a failure here must not fail a delivery already applied.
 */
async function maintainLedger(database: Db): Promise<void> {
  try {
    if (!(await indexReport()).serverTtl) await pruneExpiredDeliveries(database);
  } catch (error) {
    console.warn(JSON.stringify({ event: 'ledger_prune_failed', error: error instanceof Error ? error.name : 'unknown' }));
  }
}
