/**
 * Assessments linked to synced users, against the real database: records
 * carry both ids, reads are scoped to their owner, invalid submissions write
 * nothing, and a user whose webhook has not arrived is synced just in time
 * first (from the local double of Clerk's Backend API, reached via CLERK_API_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assessment } from '@/lib/assessments/catalogue';
import { clerkUser, userCreatedEvent } from 'clerk-mongo-sync/testing';
import { startClerkApiDoubleForApp, type ClerkApiDouble } from '../../tools/clerk/api-double';
import { deliver } from '../support/webhook';

type Modules = {
  catalogue: typeof import('@/lib/assessments/catalogue');
  submission: typeof import('@/lib/assessments/submission');
  submit: typeof import('@/lib/assessments/submit');
  repository: typeof import('@/lib/assessments/repository');
  views: typeof import('@/lib/assessments/views');
  engine: typeof import('@/lib/clerk-sync');
  client: typeof import('@/lib/db/client');
};

let clerk: ClerkApiDouble;
let m: Modules;
let assessment: Assessment;

beforeAll(async () => {
  // Before the imports: the Clerk SDK reads where Clerk is when it loads.
  clerk = await startClerkApiDoubleForApp('sk_test_assessmentsDouble0000000000000');
  m = {
    catalogue: await import('@/lib/assessments/catalogue'),
    submission: await import('@/lib/assessments/submission'),
    submit: await import('@/lib/assessments/submit'),
    repository: await import('@/lib/assessments/repository'),
    views: await import('@/lib/assessments/views'),
    engine: await import('@/lib/clerk-sync'),
    client: await import('@/lib/db/client'),
  };
  assessment = m.catalogue.ASSESSMENTS[0]!;
});

afterAll(() => clerk.close());

/** Question id → choice: the first `correct` questions answered right, the rest wrong. */
function choices(correct: number, of = assessment): Record<string, string> {
  return Object.fromEntries(
    of.questions.map((question, index) => [
      question.id,
      index < correct ? question.answer : question.choices.find((choice) => choice.id !== question.answer)!.id,
    ]),
  );
}

/** The same choices as the form's entries. */
function sheet(correct: number, of = assessment): [string, string][] {
  return Object.entries(choices(correct, of)).map(([questionId, choice]) => [m.submission.answerFieldName(questionId), choice]);
}

async function syncedUser() {
  const user = clerkUser();
  expect((await deliver(userCreatedEvent(user))).body.outcome).toBe('applied');
  return user;
}

async function submitted(clerkId: string, entries: [string, string][], slug = assessment.slug): Promise<string> {
  const outcome = await m.submit.submitAssessment(clerkId, slug, entries);
  if (outcome.kind !== 'created') throw new Error(`expected created, got ${JSON.stringify(outcome)}`);
  return outcome.id;
}

async function countAll() {
  return m.repository.assessmentsCollection(await m.client.db()).countDocuments();
}

describe('assessments of a synced user', () => {
  it('stores a scored record linked by both ids: userId is the users document _id, clerkUserId the Clerk id', async () => {
    const user = await syncedUser();
    const id = await submitted(user.id, sheet(3));
    const stored = await m.engine.clerkSync.users.find(user.id);

    const view = await m.views.loadResult(user.id, id);
    if (view.state !== 'ready' || !view.result) throw new Error(`no result: ${JSON.stringify(view)}`);
    expect(view.result).toEqual({
      _id: expect.anything(),
      userId: stored!._id,
      clerkUserId: user.id,
      // A personal result: no active organization.
      organizationId: null,
      clerkOrgId: null,
      slug: assessment.slug,
      title: assessment.title,
      answers: m.submission.scoreAnswers(assessment, choices(3)).answers,
      score: 3,
      maxScore: 5,
      createdAt: expect.any(Date),
      anonymizedAt: null,
    });
    expect(view.result._id.toHexString()).toBe(id);
  });

  it("lists only the user's own history, newest first", async () => {
    const [user, other] = [await syncedUser(), await syncedUser()];
    const other2 = m.catalogue.ASSESSMENTS[1]!;
    const firstId = await submitted(user.id, sheet(1));
    const secondId = await submitted(user.id, sheet(5, other2), other2.slug);
    await submitted(other.id, sheet(2));

    const view = await m.views.loadHistory(user.id);
    if (view.state !== 'ready') throw new Error(view.state);
    expect(view.history.map((record) => [record._id.toHexString(), record.slug, record.score])).toEqual([
      [secondId, other2.slug, 5],
      [firstId, assessment.slug, 1],
    ]);
  });

  it("another user's record and a malformed id both read as null (the page answers 404)", async () => {
    const [owner, stranger] = [await syncedUser(), await syncedUser()];
    const id = await submitted(owner.id, sheet(4));
    expect(await m.views.loadResult(stranger.id, id)).toEqual({ state: 'ready', result: null });
    for (const malformed of ['not-an-id', 'abcdefghijkl', `${id}0`, '', '../dashboard']) {
      expect(await m.views.loadResult(owner.id, malformed)).toEqual({ state: 'ready', result: null });
    }
    expect(await m.views.loadResult(owner.id, '0123456789abcdef01234567')).toEqual({ state: 'ready', result: null });
  });

  it('an invalid submission says what is wrong and writes nothing', async () => {
    const user = await syncedUser();
    const before = await countAll();
    const incomplete = sheet(5).slice(0, 3);
    expect(await m.submit.submitAssessment(user.id, assessment.slug, incomplete)).toMatchObject({
      kind: 'invalid',
      message: '2 of 5 questions need an answer. Nothing was saved.',
    });
    const forged: [string, string][] = [...sheet(5), ['answer:extra-question', 'a']];
    expect(await m.submit.submitAssessment(user.id, assessment.slug, forged)).toMatchObject({ kind: 'invalid' });
    expect(await m.submit.submitAssessment(user.id, 'no-such-assessment', sheet(5))).toEqual({ kind: 'unknown_assessment' });
    expect(await countAll()).toBe(before);
  });
});

describe('the user document comes first', () => {
  it('a signed-in user whose webhook has not arrived is synced from Clerk, then the record links to the new document', async () => {
    const user = clerkUser({ firstName: 'Early' });
    clerk.users.put(user);
    expect(await m.engine.clerkSync.users.find(user.id)).toBeNull();

    const id = await submitted(user.id, sheet(5));
    const stored = await m.engine.clerkSync.users.find(user.id);
    expect(stored).toMatchObject({ firstName: 'Early', version: user.updated_at });
    expect(await m.views.loadResult(user.id, id)).toMatchObject({ state: 'ready', result: { userId: stored!._id, clerkUserId: user.id } });
  });

  it('a user unknown to Clerk and to us stays pending and writes nothing', async () => {
    const before = await countAll();
    const missing = 'user_2notInClerkNorHere0000000000';
    expect(await m.submit.submitAssessment(missing, assessment.slug, sheet(5))).toEqual({ kind: 'account', state: 'pending' });
    expect(await m.views.loadHistory(missing)).toEqual({ state: 'pending' });
    expect(await m.engine.clerkSync.users.find(missing)).toBeNull();
    expect(await countAll()).toBe(before);
  });
});
