/**
 * user.deleted removes what the user owns (DELETION_POLICY unset: "delete"),
 * through the real webhook route: exactly once however often it arrives,
 * finished by a retry when the first attempt stopped after the tombstone, and
 * never undone by a late user.updated.
 */
import { describe, expect, it } from 'vitest';
import { ASSESSMENTS } from '@/lib/assessments/catalogue';
import { assessmentsCollection } from '@/lib/assessments/repository';
import { submitAssessment } from '@/lib/assessments/submit';
import { answerFieldName } from '@/lib/assessments/submission';
import { db } from '@/lib/db/client';
import { sessionsCollection } from '@/lib/presence/sessions';
import { tombstoneUser } from '@/lib/users/repository';
import { clerkUser, sessionEvent, userCreatedEvent, userDeletedEvent, userUpdatedEvent } from '../../tools/clerk/payloads';
import { signDelivery } from '../../tools/clerk/svix';
import { storedUser, tombstone } from '../support/sync-state';
import { deliver, postToRoute } from '../support/webhook';

const [first, second] = ASSESSMENTS;

function completeSheet(assessment = first!): [string, string][] {
  return assessment.questions.map((question) => [answerFieldName(question.id), question.answer]);
}

/** A synced user with two assessments and an active session. */
async function userWithRecords() {
  const user = clerkUser();
  await deliver(userCreatedEvent(user));
  for (const assessment of [first!, second!]) {
    expect(await submitAssessment(user.id, assessment.slug, completeSheet(assessment))).toMatchObject({ kind: 'created' });
  }
  await deliver(sessionEvent('session.created', { userId: user.id }));
  return user;
}

async function recordsOf(clerkUserId: string) {
  return assessmentsCollection(await db()).countDocuments({ clerkUserId });
}

async function sessionsOf(clerkId: string) {
  return sessionsCollection(await db()).countDocuments({ clerkId });
}

describe('deletion cascade (policy "delete")', () => {
  it("removes the deleted user's assessments and sessions, and nobody else's", async () => {
    const [doomed, bystander] = [await userWithRecords(), await userWithRecords()];
    expect(await recordsOf(doomed.id)).toBe(2);

    expect((await deliver(userDeletedEvent(doomed.id))).body.outcome).toBe('applied');
    expect(await recordsOf(doomed.id)).toBe(0);
    expect(await sessionsOf(doomed.id)).toBe(0);
    expect(await recordsOf(bystander.id)).toBe(2);
    expect(await sessionsOf(bystander.id)).toBe(1);
  });

  it('delivered twice (same svix-id, then re-emitted under a new one), it removes them once and the repeats are no-ops', async () => {
    const user = await userWithRecords();
    const deletion = userDeletedEvent(user.id);
    const delivery = signDelivery(process.env.CLERK_WEBHOOK_SECRET!, deletion);
    expect((await postToRoute(delivery)).body.outcome).toBe('applied');
    const after = await storedUser(user.id);

    expect((await postToRoute(delivery)).body.outcome).toBe('duplicate');
    expect((await deliver(deletion)).body.outcome).toBe('stale');
    expect(await recordsOf(user.id)).toBe(0);
    expect(await storedUser(user.id)).toEqual(after);
  });

  it('two deliveries of the deletion at once both succeed and leave nothing behind', async () => {
    const user = await userWithRecords();
    const deletion = userDeletedEvent(user.id);
    const answers = await Promise.all([deliver(deletion), deliver(deletion)]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(await recordsOf(user.id)).toBe(0);
  });

  it('a retry after the tombstone already landed (the first attempt failed mid-way) finishes the cascade', async () => {
    const user = await userWithRecords();
    const deletedAt = Date.now();
    // What the first attempt left: the tombstone written, then the database went away before the cascade.
    expect(await tombstoneUser(user.id, deletedAt, new Date(deletedAt))).toBe('applied');
    expect(await recordsOf(user.id)).toBe(2);

    const retry = await deliver(userDeletedEvent(user.id, deletedAt));
    expect(retry).toMatchObject({ status: 200, body: { outcome: 'applied' } });
    expect(await recordsOf(user.id)).toBe(0);
    expect(await sessionsOf(user.id)).toBe(0);
    expect(await storedUser(user.id)).toMatchObject(tombstone(user.id, deletedAt));
  });

  it('a late user.updated re-links and recreates nothing, and the deleted user cannot create records', async () => {
    const user = await userWithRecords();
    const deletedAt = user.updated_at + 5_000;
    await deliver(userDeletedEvent(user.id, deletedAt));

    expect((await deliver(userUpdatedEvent({ ...user, updated_at: deletedAt + 60_000 }))).body.outcome).toBe('stale');
    expect(await submitAssessment(user.id, first!.slug, completeSheet())).toEqual({ kind: 'account', state: 'deleted' });
    expect(await recordsOf(user.id)).toBe(0);
    expect(await storedUser(user.id)).toMatchObject(tombstone(user.id, deletedAt));
  });
});
