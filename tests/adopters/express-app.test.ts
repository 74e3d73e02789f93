/**
 * An Express server with mongoose adopts the package, as the usual Clerk
 * guides' apps would (tests/adopters/fixtures/express-app/server.mjs):
 * `nodeWebhookHandler({ database: () => mongoose.connection.db })` mounted
 * before express.json(), and the app's own notes deleted by its
 * onUserDeleted. mongoose brings a MongoDB driver of its own (another version
 * than the one the package's peer dependency resolves to): the engine works
 * on that driver's Db. Type-checked with the package's types (checkJs), run
 * from the installed tarball, it passes the same webhook cases.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startServer, type AdopterServer } from './support/server';
import { webhookCases, type Adopter } from './support/webhook-cases';

const root = inject('adopterRoot');
const appDir = path.join(root, 'express-app');

let server: AdopterServer;
let client: MongoClient;

beforeAll(async () => {
  cpSync(path.join(__dirname, 'fixtures', 'express-app'), appDir, { recursive: true });
  server = await startServer({
    args: ['server.mjs'],
    cwd: appDir,
    env: {
      MONGODB_URI: process.env.MONGODB_URI!,
      MONGODB_DB: process.env.MONGODB_DB!,
      CLERK_WEBHOOK_SECRET: process.env.CLERK_WEBHOOK_SECRET!,
    },
    readyPath: '/health',
  });
  client = new MongoClient(process.env.MONGODB_URI!);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await client?.close();
});

const db = () => client.db(process.env.MONGODB_DB);

describe('an Express + mongoose server adopting the package', () => {
  it('runs on mongoose’s own driver, another copy than the package’s peer resolves to', () => {
    const version = (file: string) =>
      (JSON.parse(readFileSync(path.join(root, 'node_modules', file), 'utf8')) as { version: string }).version;
    expect(version('mongoose/node_modules/mongodb/package.json')).not.toBe(version('mongodb/package.json'));
  });

  it('type-checks against the package’s types (checkJs, strict)', () => {
    const check = spawnSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: appDir, encoding: 'utf8' });
    expect(`${check.stdout}${check.stderr}`).toBe('');
    expect(check.status).toBe(0);
  });

  describe('the webhook receiver', () => {
    webhookCases((): Adopter => ({
      endpoint: `${server.origin}/api/webhooks/clerk`,
      db: db(),
      addRecord: async (clerkId) => {
        const created = await fetch(`${server.origin}/notes`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ clerkId, text: 'a note' }),
        });
        expect(created.status).toBe(201);
      },
      recordsOf: (clerkId) => db().collection('notes').countDocuments({ clerkId }),
    }));
  });
});
