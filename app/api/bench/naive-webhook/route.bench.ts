/**
 * BENCHMARK-ONLY: the comparison point of `npm run bench` — a Clerk webhook
 * handler written the way the popular tutorials write it: verify with svix,
 * then findOne + insert or update, with no index, no order guard, no ledger,
 * under Clerk's middleware (this path is in its matcher). Never use this as
 * a model. Only in benchmark builds (see tools/bench/routes.ts).
 */
import { Webhook } from 'svix';
import { db } from '@/lib/db/client';
import { env } from '@/lib/env';
import { NAIVE_USERS_COLLECTION } from '@/tools/bench/routes';

export const dynamic = 'force-dynamic';

type NaiveEvent = {
  type: string;
  data: {
    id: string;
    email_addresses?: { email_address: string }[];
    first_name?: string | null;
    last_name?: string | null;
    image_url?: string | null;
  };
};

export async function POST(request: Request): Promise<Response> {
  const body = await request.text();
  let event: NaiveEvent;
  try {
    new Webhook(env().webhookSecret ?? '').verify(body, Object.fromEntries(request.headers));
    event = JSON.parse(body) as NaiveEvent;
  } catch {
    return new Response('invalid signature', { status: 400 });
  }

  const users = (await db()).collection(NAIVE_USERS_COLLECTION);
  const { id, email_addresses, first_name, last_name, image_url } = event.data;
  if (event.type === 'user.deleted') {
    await users.deleteOne({ clerkId: id });
  } else {
    const fields = { email: email_addresses?.[0]?.email_address, firstName: first_name, lastName: last_name, imageUrl: image_url };
    const existing = await users.findOne({ clerkId: id });
    if (existing) await users.updateOne({ _id: existing._id }, { $set: fields });
    else await users.insertOne({ clerkId: id, ...fields });
  }
  return new Response('ok', { status: 200 });
}
