/**
 * user.deleted removes what the user owns (DELETION_POLICY unset: "delete"),
 * through the real webhook route: the engine removes the sessions, the app's
 * `onUserDeleted` hook the assessments; exactly once however often it
 * arrives, finished by Svix's retry when the first attempt's hook failed
 * after the tombstone, and never undone by a late user.updated.
 */
import { clerkUser, sessionEvent, signWebhook, userCreatedEvent, userDeletedEvent, userUpdatedEvent } from 'clerk-mongo-sync/testing';
import { describe, expect, it, vi } from 'vitest';
import { ASSESSMENTS } from '@/lib/assessments/catalogue';
import { applyDeletionPolicy, assessmentsCollection } from '@/lib/assessments/repository';
import { submitAssessment } from '@/lib/assessments/submit';
import { answerFieldName } from '@/lib/assessments/submission';
import { clerkSync } from '@/lib/clerk-sync';
import { db } from '@/lib/db/client';
import { ledgerEntry, storedUser, tombstone } from '../support/sync-state';
import { deliver, postToRoute } from '../support/webhook';

// The app's deletion policy, spied on: a test makes it fail once, as an outage in the middle of the hook would.
vi.mock('@/lib/assessments/repository', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/assessments/repository')>();
  return { ...actual, applyDeletionPolicy: vi.fn(actual.applyDeletionPolicy) };
});

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
  return (await clerkSync.sessions.collection()).countDocuments({ clerkId });
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
    const delivery = signWebhook(process.env.CLERK_WEBHOOK_SECRET!, deletion);
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

  it('a retry after the hook failed (the tombstone had landed) finishes the deletion: 500 first, so Svix retries', async () => {
    const user = await userWithRecords();
    const deletedAt = Date.now();
    const delivery = signWebhook(process.env.CLERK_WEBHOOK_SECRET!, userDeletedEvent(user.id, deletedAt));
    vi.mocked(applyDeletionPolicy).mockRejectedValueOnce(new Error('the assessments could not be removed'));

    const first = await postToRoute(delivery);
    expect(first).toMatchObject({ status: 500, body: { outcome: 'hook_failed' } });
    expect(await storedUser(user.id)).toMatchObject(tombstone(user.id, deletedAt));
    expect(await sessionsOf(user.id)).toBe(0);
    expect(await recordsOf(user.id)).toBe(2);
    expect(await ledgerEntry(delivery.svixId)).toMatchObject({ outcome: 'hook_failed', status: 500 });

    // Svix's retry: the same svix-id. The tombstone is there already (stale), and the hook runs again.
    const retry = await postToRoute(delivery);
    expect(retry).toMatchObject({ status: 200, body: { outcome: 'stale' } });
    expect(await recordsOf(user.id)).toBe(0);
    expect(await ledgerEntry(delivery.svixId)).toMatchObject({ outcome: 'stale', status: 200, attempts: 2 });
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
