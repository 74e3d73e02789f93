/**
 * Runs before each integration test file: points the app at a fresh database
 * on the shared test server and gives it a webhook secret of its own.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { newWebhookSecret } from 'clerk-mongo-sync/testing';

process.env.MONGODB_URI = inject('mongoUri');
process.env.MONGODB_DB = `test_${randomBytes(6).toString('hex')}`;
process.env.CLERK_WEBHOOK_SECRET = newWebhookSecret();
delete process.env.CLERK_WEBHOOK_SIGNING_SECRET;
