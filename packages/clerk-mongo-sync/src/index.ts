/**
 * clerk-mongo-sync: Clerk users in your MongoDB, kept in sync by Clerk's
 * webhooks. The core entry is framework-free; `clerk-mongo-sync/next` and
 * `clerk-mongo-sync/node` adapt it to Next.js route handlers and to Node's
 * `http` and Express.
 */
export { isWellFormedWebhookSecret, WEBHOOK_SECRET_RULE, WEBHOOK_SECRET_VARIABLES, webhookSecretOf } from './webhooks/secret.js';
