/**
 * The assessments the app offers, defined in code: a new one ships with a
 * deploy, and a stored result can always be explained by the catalogue it
 * was scored against (records keep the correct answer they were scored with).
 *
 * `answer` is the correct choice id. It stays on the server: pages hand the
 * browser `publicAssessment(...)`, which has none.
 */

export type Choice = { id: string; label: string };
export type Question = { id: string; prompt: string; choices: readonly Choice[]; answer: string };
export type Assessment = { slug: string; title: string; summary: string; questions: readonly Question[] };

/** What the browser may see of an assessment: everything but the answers. */
export type PublicQuestion = Omit<Question, 'answer'>;
export type PublicAssessment = Omit<Assessment, 'questions'> & { questions: PublicQuestion[] };

const choices = (...labels: string[]): Choice[] => labels.map((label, index) => ({ id: 'abcd'[index]!, label }));

export const ASSESSMENTS: readonly Assessment[] = [
  {
    slug: 'webhook-delivery',
    title: 'Webhook delivery',
    summary: 'How Svix delivers Clerk events, and what a receiver must do about it.',
    questions: [
      {
        id: 'guarantee',
        prompt: 'Svix delivers each webhook…',
        choices: choices('exactly once, in order', 'at least once, in any order', 'at most once', 'once per minute'),
        answer: 'b',
      },
      {
        id: 'verify',
        prompt: 'The signature must be verified over…',
        choices: choices('the parsed JSON, re-serialised', 'the exact raw request body', 'the svix-id header only', 'the data object'),
        answer: 'b',
      },
      {
        id: 'replay',
        prompt: 'What makes a replayed delivery harmless?',
        choices: choices(
          'Checking the IP address',
          'A ledger keyed by svix-id and idempotent writes',
          'Answering 500',
          'Sleeping one second',
        ),
        answer: 'b',
      },
      {
        id: 'outage',
        prompt: 'The database is down. The receiver answers…',
        choices: choices('200, and drops the event', '404', '503, so Svix retries later', '301 to a backup'),
        answer: 'c',
      },
      {
        id: 'order',
        prompt: 'An older user.updated arrives after a newer one. It…',
        choices: choices('overwrites the newer data', 'is stale: a no-op', 'deletes the user', 'fails with 422'),
        answer: 'b',
      },
    ],
  },
  {
    slug: 'mongodb-indexes',
    title: 'MongoDB indexes',
    summary: 'Unique indexes, upserts and the queries they serve.',
    questions: [
      {
        id: 'unique',
        prompt: 'Two concurrent upserts for the same new clerkId, with a unique index on clerkId, leave…',
        choices: choices('two documents', 'one document; the loser gets a duplicate-key error', 'no document', 'a corrupted index'),
        answer: 'b',
      },
      {
        id: 'compound',
        prompt: 'Which index serves "a user\'s results, newest first"?',
        choices: choices('{ createdAt: 1 }', '{ clerkUserId: 1, createdAt: -1 }', '{ score: -1 }', 'none is needed'),
        answer: 'b',
      },
      {
        id: 'objectid',
        prompt: 'An ObjectId as a hex string is…',
        choices: choices('12 characters', '24 hexadecimal characters', 'any string', 'a UUID'),
        answer: 'b',
      },
      {
        id: 'ttl',
        prompt: 'A TTL index…',
        choices: choices('speeds up every query', 'expires documents after a time', 'makes a field unique', 'compresses documents'),
        answer: 'b',
      },
      {
        id: 'operator',
        prompt: 'Which update operator never moves a date backwards?',
        choices: choices('$set', '$min', '$max', '$push'),
        answer: 'c',
      },
    ],
  },
  {
    slug: 'clerk-sessions',
    title: 'Clerk users and sessions',
    summary: "What Clerk's user and session events mean for your data.",
    questions: [
      {
        id: 'user-id',
        prompt: 'A Clerk user id looks like…',
        choices: choices('user_2abc…', 'sess_2abc…', 'a MongoDB ObjectId', 'an email address'),
        answer: 'a',
      },
      {
        id: 'deleted-payload',
        prompt: 'The data of user.deleted carries…',
        choices: choices('the whole profile', 'only the user id (and deleted: true)', 'the last session', 'nothing at all'),
        answer: 'b',
      },
      {
        id: 'session-end',
        prompt: 'Which event does NOT end a session?',
        choices: choices('session.ended', 'session.revoked', 'session.removed', 'session.created'),
        answer: 'd',
      },
      {
        id: 'two-devices',
        prompt: 'A user signed in on two devices signs out on one. They are…',
        choices: choices('offline', 'still online: one session is active', 'deleted', 'banned'),
        answer: 'b',
      },
      {
        id: 'unsafe',
        prompt: 'Which metadata can users write themselves?',
        choices: choices('publicMetadata', 'privateMetadata', 'unsafeMetadata', 'none'),
        answer: 'c',
      },
    ],
  },
];

export function findAssessment(slug: string): Assessment | undefined {
  return ASSESSMENTS.find((assessment) => assessment.slug === slug);
}

export function publicAssessment({ questions, ...rest }: Assessment): PublicAssessment {
  return { ...rest, questions: questions.map(({ id, prompt, choices: options }) => ({ id, prompt, choices: options })) };
}
