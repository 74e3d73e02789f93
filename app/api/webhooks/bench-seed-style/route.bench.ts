/**
 * BENCHMARK-ONLY: (c′) of `npm run bench` — the handler of the setup guides
 * this project started from, as people write it with mongoose: verify with
 * svix, then an indexed findOne (mongoose's `unique: true` on clerkId) and an
 * insert or an update of what was found. Fast and wrong: no order guard (an
 * older event overwrites a newer one, an update after a delete resurrects the
 * user), no replay ledger, no validation, and a concurrent first delivery
 * fails on the unique index. Outside Clerk's middleware and on the app's
 * shared client, like the real webhook, so (b)/(c′) is the cost of the
 * guarantees alone. Only in benchmark builds (see tools/bench/routes.ts).
 */
import { Webhook } from 'svix';
import { db } from '@/lib/db/client';
import { env } from '@/lib/env';
import { SEED_STYLE_USERS_COLLECTION } from '@/tools/bench/routes';

export const dynamic = 'force-dynamic';

type SeedStyleEvent = {
  type: string;
  data: {
    id: string;
    username?: string | null;
    email_addresses?: { email_address: string }[];
    first_name?: string | null;
    last_name?: string | null;
    image_url?: string | null;
  };
};

/** Mongoose builds a `unique: true` index when the model is first used (autoIndex). */
let uniqueIndex: Promise<string> | undefined;

async function usersCollection() {
  const users = (await db()).collection(SEED_STYLE_USERS_COLLECTION);
  uniqueIndex ??= users.createIndex({ clerkId: 1 }, { unique: true }).catch((error: unknown) => {
    uniqueIndex = undefined;
    throw error;
  });
  await uniqueIndex;
  return users;
}

export async function POST(request: Request): Promise<Response> {
  const body = await request.text();
  let event: SeedStyleEvent;
  try {
    new Webhook(env().webhookSecret ?? '').verify(body, Object.fromEntries(request.headers));
    event = JSON.parse(body) as SeedStyleEvent;
  } catch {
    return new Response('invalid signature', { status: 400 });
  }

  const users = await usersCollection();
  const { id, username, email_addresses, first_name, last_name, image_url } = event.data;
  if (event.type === 'user.deleted') {
    await users.deleteOne({ clerkId: id });
    return new Response('ok', { status: 200 });
  }
  const fields = {
    username: username ?? null,
    email: email_addresses?.[0]?.email_address ?? null,
    firstName: first_name ?? null,
    lastName: last_name ?? null,
    imageUrl: image_url ?? null,
  };
  const existing = await users.findOne({ clerkId: id });
  if (existing) await users.updateOne({ _id: existing._id }, { $set: fields });
  else await users.insertOne({ clerkId: id, ...fields, isOnline: false, lastSeen: new Date() });
  return new Response('ok', { status: 200 });
}
