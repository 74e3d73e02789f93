/**
 * Linked app data in a browser: a synced user takes an assessment, the
 * server scores and stores it linked to their user document, and the
 * dashboard lists it. Results are private: another user gets a 404.
 */
import { clerkUser, userCreatedEvent } from 'clerk-mongo-sync/testing';
import { deliverWebhook, signInAs } from './support/clerk';
import { storedAssessments, storedUser } from './support/database';
import { test, expect } from './support/test';

/** The "Webhook delivery" assessment, answered with one mistake (question 4). */
const ANSWERS = [
  'at least once, in any order',
  'the exact raw request body',
  'A ledger keyed by svix-id and idempotent writes',
  '200, and drops the event',
  'is stale: a no-op',
];

async function signedInUser(context: Parameters<typeof signInAs>[0], origin: string) {
  const user = clerkUser({ firstName: 'Ada', lastName: 'Lovelace' });
  expect(await deliverWebhook(origin, userCreatedEvent(user))).toEqual({ status: 200, outcome: 'applied' });
  await signInAs(context, { userId: user.id, origin });
  return user;
}

test('a signed-in user completes an assessment and finds it, scored, in the dashboard history', async ({ page, context, origin }) => {
  const user = await signedInUser(context, origin);

  await page.goto('/assessments');
  await page.getByTestId('assessment-webhook-delivery').getByRole('link', { name: 'Start' }).click();
  await expect(page).toHaveURL(/\/assessments\/take\/webhook-delivery$/);

  // Incomplete: the server says what is missing, keeps the answer given, and stores nothing.
  await page.getByLabel(ANSWERS[0]!, { exact: true }).check();
  await page.getByRole('button', { name: 'Submit answers' }).click();
  await expect(page.getByTestId('assessment-error')).toHaveText('4 of 5 questions need an answer. Nothing was saved.');
  await expect(page.getByText('Choose one answer for question 2.')).toBeVisible();
  await expect(page.getByLabel(ANSWERS[0]!, { exact: true })).toBeChecked();
  expect(await storedAssessments(user.id)).toEqual([]);

  for (const answer of ANSWERS.slice(1)) await page.getByLabel(answer, { exact: true }).check();
  await page.getByRole('button', { name: 'Submit answers' }).click();

  await expect(page).toHaveURL(/\/assessments\/[0-9a-f]{24}$/);
  await expect(page.getByTestId('result-title')).toHaveText('Webhook delivery');
  await expect(page.getByTestId('result-score')).toHaveText('4 / 5');
  await expect(page.getByTestId('result-answers')).toContainText('503, so Svix retries later');

  const [record] = await storedAssessments(user.id);
  const stored = await storedUser(user.id);
  expect(record).toMatchObject({ userId: stored!._id, clerkUserId: user.id, slug: 'webhook-delivery', score: 4, maxScore: 5 });
  expect(page.url()).toContain(`/assessments/${record!._id.toHexString()}`);

  await page.getByRole('link', { name: 'Back to your dashboard' }).click();
  await expect(page.getByTestId('profile-name')).toHaveText('Ada Lovelace');
  const entry = page.getByTestId('history-entry');
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText('Webhook delivery');
  await expect(entry).toContainText('4 / 5');
  await entry.getByRole('link', { name: 'Webhook delivery' }).click();
  await expect(page.getByTestId('result-score')).toHaveText('4 / 5');
});

test("another user's result, and a malformed result id, answer 404", async ({ page, context, origin }) => {
  const owner = await signedInUser(context, origin);
  await page.goto('/assessments/take/mongodb-indexes');
  for (const question of await page.getByRole('group').all()) await question.getByRole('radio').first().check();
  await page.getByRole('button', { name: 'Submit answers' }).click();
  await expect(page).toHaveURL(/\/assessments\/[0-9a-f]{24}$/);
  const resultPath = new URL(page.url()).pathname;
  expect(await storedAssessments(owner.id)).toHaveLength(1);

  await context.clearCookies();
  await signedInUser(context, origin);
  expect((await page.goto(resultPath))?.status()).toBe(404);
  expect((await page.goto('/assessments/not-an-id'))?.status()).toBe(404);
});
