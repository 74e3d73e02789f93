/**
 * The app's `npm run db` and `npm run sync`: the engine's CLI with what only
 * this app knows (its assessments linked to a user; its engine, whose
 * `mapUser` adds the role; the commands as typed here), each run as a user
 * runs it, a child process configured only through its environment.
 */
import { clerkUser, userCreatedEvent } from 'clerk-mongo-sync/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAssessment } from '@/lib/assessments/repository';
import { clerkSync } from '@/lib/clerk-sync';
import { mongoClient } from '@/lib/db/client';
import { startClerkApiDouble, type ClerkApiDouble } from '../../tools/clerk/api-double';
import { runToolCli } from '../support/cli';
import { deliver } from '../support/webhook';

const SECRET_KEY = 'sk_test_wrappers000000000000000000000000';
const database = () => ({ MONGODB_URI: process.env.MONGODB_URI!, MONGODB_DB: process.env.MONGODB_DB! });

let clerk: ClerkApiDouble;

beforeAll(async () => {
  clerk = await startClerkApiDouble({ secretKey: SECRET_KEY });
});

afterAll(async () => {
  await clerk.close();
  await mongoClient().close();
});

describe.concurrent('the app’s wrappers of the engine’s CLI', () => {
  it('npm run db -- user <id>: the user, their assessments (the app’s link) and sessions', async () => {
    const user = clerkUser({ firstName: 'Linked' });
    expect((await deliver(userCreatedEvent(user))).body.outcome).toBe('applied');
    const stored = await clerkSync.users.find(user.id);
    await insertAssessment({
      userId: stored!._id,
      clerkUserId: user.id,
      slug: 'mongodb-basics',
      title: 'MongoDB basics',
      answers: [{ questionId: 'q1', choiceId: 'a', correctChoiceId: 'a' }],
      score: 1,
      maxScore: 1,
      createdAt: new Date(),
    });
    const run = await runToolCli('tools/db-cli.ts', ['user', user.id, '--json'], database());
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const found = JSON.parse(run.stdout) as { user: { role: unknown }; assessments: { slug: string }[]; sessions: unknown[] };
    expect(found.assessments).toMatchObject([{ slug: 'mongodb-basics' }]);
    expect(found.sessions).toEqual([]);
    expect(found.user.role).toBeNull(); // the app's own field (mapUser), beside the profile
    const usage = await runToolCli('tools/db-cli.ts', ['sessions'], database());
    expect(usage).toMatchObject({
      code: 2,
      stderr:
        'db: usage: npm run db -- users | user <clerkId> | organizations | organization <clerkOrgId> | deliveries | indexes [--limit N] [--json]\n',
    });
  });

  it('npm run sync -- backfill: writes through the app’s engine, so its mapUser field (the role) is filled in too', async () => {
    const admin = clerkUser({ firstName: 'Backfilled', publicMetadata: { role: 'admin' } });
    clerk.users.put(admin);
    const run = await runToolCli('tools/sync.ts', ['backfill', '--json'], {
      ...database(),
      CLERK_SECRET_KEY: SECRET_KEY,
      CLERK_API_URL: clerk.url,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'completed', counts: { created: 1 } });
    expect(await clerkSync.users.find(admin.id)).toMatchObject({ firstName: 'Backfilled', role: 'admin' });
    const usage = await runToolCli('tools/sync.ts', ['import'], database());
    expect(usage.stderr).toMatch(/^sync: usage: npm run sync -- backfill\|reconcile/);
  });
});
