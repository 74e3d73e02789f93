/**
 * The whole chain, end to end: a signed user.created for a throwaway user goes
 * to the running app, the document must appear in the database doctor sees,
 * with the fields the event carried. Then the user and its ledger entries are
 * removed again.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import type { CollectionNames } from '../../db/indexes.js';
import { clerkUser, userCreatedEvent } from '../../testing/payloads.js';
import { routeAnswer } from '../http.js';
import { sendSignedEvent } from '../webhook/sender.js';
import { SECRET_FIX } from './endpoint-check.js';
import { fail, pass, type CheckResult } from './result.js';

export const ROUND_TRIP = 'Signed test event round-trips';
const APPEAR_WITHIN_MS = 5_000;
const POLL_EVERY_MS = 100;

type Options = { url: string; secret: string; db: Db; names: CollectionNames; startApp: string };

export async function checkRoundTrip(options: Options): Promise<CheckResult> {
  const userId = `user_doctor_${randomBytes(8).toString('hex')}`;
  const svixIds: string[] = [];
  try {
    return await sendAndVerify(options, userId, svixIds);
  } finally {
    // Also when the check fails half-way: doctor must not leave its test user behind.
    await cleanUp(options.db, options.names, userId, svixIds);
  }
}

async function sendAndVerify({ url, secret, db, names, startApp }: Options, userId: string, svixIds: string[]): Promise<CheckResult> {
  const user = clerkUser({
    id: userId,
    firstName: 'Doctor',
    lastName: 'Check',
    email: `doctor+${userId.slice(-8)}@example.com`,
    createdAt: Date.now(),
  });
  const { svixId, result } = await sendSignedEvent(url, secret, userCreatedEvent(user));
  svixIds.push(svixId);
  if (result.kind === 'unreachable') return fail(ROUND_TRIP, `${url}: ${result.reason}`, `${startApp}, or pass --url`);
  const answer = routeAnswer(result.body);
  if (result.status !== 200 || answer?.outcome !== 'applied') return rejected(result.status, answer?.outcome, answer?.message ?? '');

  const stored = await waitForUser(db, names, userId);
  if (!stored) {
    return fail(
      ROUND_TRIP,
      `the app answered 200 applied, but ${userId} did not appear in database "${db.databaseName}" within ${APPEAR_WITHIN_MS / 1000} s`,
      'the app writes to another database: give it and this tool the same MONGODB_URI / MONGODB_DB',
    );
  }
  const expected: Record<string, unknown> = {
    firstName: user.first_name,
    lastName: user.last_name,
    email: user.email_addresses[0]?.email_address,
    version: user.updated_at,
    deletedAt: null,
  };
  const wrong = Object.keys(expected).filter((field) => stored[field] !== expected[field]);
  if (wrong.length > 0) {
    return fail(
      ROUND_TRIP,
      `${userId} was stored with unexpected ${wrong.join(', ')}`,
      'the running app is not this version of the code: rebuild and restart it',
    );
  }
  return pass(ROUND_TRIP, `user.created → 200 applied → ${userId} stored with the expected fields → removed again`);
}

function rejected(status: number, outcome: string | undefined, message: string): CheckResult {
  const answered = `the app answered ${status}${outcome ? ` ${outcome}` : ''}`;
  switch (outcome) {
    case 'bad_signature':
      return fail(
        ROUND_TRIP,
        `${answered}: it verifies with a different secret than the one configured here`,
        'give the app and this tool the same CLERK_WEBHOOK_SECRET (next dev picks up a changed .env.local by itself; a variable set in its shell wins over the file; in production: the endpoint’s Signing Secret in Clerk Dashboard)',
      );
    case 'unavailable':
      return fail(
        ROUND_TRIP,
        `${answered}: the app cannot reach its database`,
        'check the app’s MONGODB_URI and that the database accepts its connections',
      );
    case 'not_configured':
      return fail(ROUND_TRIP, `${answered}: ${message}`, SECRET_FIX);
    default:
      return fail(ROUND_TRIP, `${answered}; expected 200 applied`, 'read the app’s log line for this delivery (event "clerk_webhook")');
  }
}

async function waitForUser(db: Db, names: CollectionNames, clerkId: string): Promise<Record<string, unknown> | null> {
  const deadline = Date.now() + APPEAR_WITHIN_MS;
  for (;;) {
    const found = await db.collection(names.users).findOne({ clerkId });
    if (found || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
  }
}

/** The test user, and its ledger entries by their svix-id (the ledger's `_id`). */
async function cleanUp(db: Db, names: CollectionNames, clerkId: string, svixIds: string[]): Promise<void> {
  await db.collection(names.users).deleteMany({ clerkId });
  await db.collection<{ _id: string }>(names.deliveries).deleteMany({ _id: { $in: svixIds } });
}
