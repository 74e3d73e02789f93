/**
 * user.deleted under DELETION_POLICY=anonymize: the user's assessments stay
 * (slug, score, answers, date) but lose both links to the user, exactly
 * once, also on a retry after the tombstone and before a late user.updated.
 */
import { clerkUser, signWebhook, userCreatedEvent, userDeletedEvent, userUpdatedEvent } from 'clerk-mongo-sync/testing';
import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ASSESSMENTS } from '@/lib/assessments/catalogue';
import { applyDeletionPolicy, assessmentsCollection } from '@/lib/assessments/repository';
import { submitAssessment } from '@/lib/assessments/submit';
import { answerFieldName } from '@/lib/assessments/submission';
import { db } from '@/lib/db/client';
import { deliver, postToRoute } from '../support/webhook';

// The app's deletion policy, spied on: a test makes it fail once, as an outage in the middle of the hook would.
vi.mock('@/lib/assessments/repository', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/assessments/repository')>();
  return { ...actual, applyDeletionPolicy: vi.fn(actual.applyDeletionPolicy) };
});

beforeAll(() => {
  // Read once, on first use of the configuration: before any delivery in this file.
  process.env.DELETION_POLICY = 'anonymize';
});

const assessment = ASSESSMENTS[1]!;

async function userWithRecord() {
  const user = clerkUser();
  await deliver(userCreatedEvent(user));
  const sheet = assessment.questions.map((question, index): [string, string] => [
    answerFieldName(question.id),
    index === 0 ? 'd' : question.answer,
  ]);
  const created = await submitAssessment(user.id, assessment.slug, sheet);
  if (created.kind !== 'created') throw new Error(`not created: ${created.kind}`);
  const records = assessmentsCollection(await db());
  return { user, id: created.id, record: (await records.findOne({ clerkUserId: user.id }))! };
}

async function recordById(id: string) {
  return assessmentsCollection(await db()).findOne({ _id: new ObjectId(id) });
}

describe('deletion cascade (policy "anonymize")', () => {
  it('keeps the record with its score, answers and date, unlinked from both ids, marked anonymizedAt', async () => {
    const { user, id, record } = await userWithRecord();
    const bystander = await userWithRecord();
    expect(record).toMatchObject({ score: 4, maxScore: 5, anonymizedAt: null });

    expect((await deliver(userDeletedEvent(user.id))).body.outcome).toBe('applied');
    const { anonymizedAt, ...kept } = (await recordById(id))!;
    expect(anonymizedAt).toBeInstanceOf(Date);
    expect(kept).toEqual({ ...record, userId: null, clerkUserId: null, anonymizedAt: undefined, _id: record._id });
    expect(await recordById(bystander.id)).toEqual(bystander.record);
  });

  it('a second delivery anonymises nothing more: anonymizedAt keeps the first run', async () => {
    const { user, id } = await userWithRecord();
    const deletion = userDeletedEvent(user.id);
    await deliver(deletion);
    const once = await recordById(id);
    expect((await deliver(deletion)).body.outcome).toBe('stale');
    expect(await recordById(id)).toEqual(once);
  });

  it('a retry after the hook failed finishes the anonymisation; a late user.updated links nothing back', async () => {
    const { user, id } = await userWithRecord();
    const deletedAt = user.updated_at + 5_000;
    const delivery = signWebhook(process.env.CLERK_WEBHOOK_SECRET!, userDeletedEvent(user.id, deletedAt));
    vi.mocked(applyDeletionPolicy).mockRejectedValueOnce(new Error('the assessments could not be anonymized'));
    expect((await postToRoute(delivery)).body.outcome).toBe('hook_failed');
    expect(await recordById(id)).toMatchObject({ clerkUserId: user.id });

    // Svix's retry: the tombstone is there already (stale); the hook runs again and anonymizes.
    expect((await postToRoute(delivery)).body.outcome).toBe('stale');
    expect((await deliver(userUpdatedEvent({ ...user, updated_at: deletedAt + 1_000 }))).body.outcome).toBe('stale');
    expect(await recordById(id)).toMatchObject({ userId: null, clerkUserId: null, anonymizedAt: expect.any(Date) });
    expect(await assessmentsCollection(await db()).countDocuments({ clerkUserId: user.id })).toBe(0);
  });
});
