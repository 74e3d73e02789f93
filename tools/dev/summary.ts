/**
 * What `npm run dev` prints before Next starts, beside the database line:
 * Clerk's mode (by the rules the middleware applies, lib/env/clerk-setup.ts)
 * and the webhook secret (the engine's doctor's check), each as it will
 * behave, with the fix when it cannot work;
 * and, when .env.local changes while it runs, what that change does.
 */
import { checkWebhookSecret, type CheckResult } from 'clerk-mongo-sync/cli';
import { MongoClient } from 'mongodb';
import { checkClerkKeys, clerkProblemFix } from '../../lib/env/clerk-setup';
import { SECRET_WRITE_COMMAND } from '../lib/engine-cli';
import type { EnvSource } from '../lib/local-env';

function line(label: string, check: CheckResult): string[] {
  return check.ok ? [`▸ ${label}: ${check.detail}`] : [`✘ ${label}: ${check.detail}`, `  fix: ${check.fix}`];
}

/** Clerk: the keys' format as the app's middleware judges it before it lets Clerk start (doctor also asks Clerk). */
export function clerkModeLines(env: EnvSource): string[] {
  const keys = checkClerkKeys({ publishableKey: env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY, secretKey: env.CLERK_SECRET_KEY });
  if (keys.ok) {
    const kind = keys.instance === 'production' ? 'live' : 'test';
    return [
      `▸ Clerk: pk_${kind}/sk_${kind} pair from a ${keys.instance} instance (${keys.frontendApi}) (format checked; npm run doctor asks Clerk)`,
    ];
  }
  const detail =
    keys.problem === 'missing'
      ? 'neither NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY nor CLERK_SECRET_KEY is set: Clerk cannot start, so every page shows how to set them up (the webhooks, the database and these tools work without)'
      : `Clerk cannot start: ${keys.rules.join('; ')}`;
  return [`✘ Clerk: ${detail}`, `  fix: ${clerkProblemFix(keys)}`];
}

export function webhookSecretLines(env: EnvSource): string[] {
  return line('Webhook secret', checkWebhookSecret(env, SECRET_WRITE_COMMAND));
}

/** Where MONGODB_URI came from, for the database line: the shell's environment or one of the .env files. */
export function mongodbUriSource(
  inShellEnv: boolean,
  loadedFiles: ReadonlyArray<{ path: string; env: Record<string, string | undefined> }>,
): string {
  if (inShellEnv) return 'your shell environment';
  const file = loadedFiles.find(({ env }) => env.MONGODB_URI !== undefined);
  return file ? file.path : 'the environment';
}

const PING_TIMEOUT_MS = 3_000;

/** A warning when the configured database does not answer a ping in time; nothing when it does. */
export async function databaseWarningLines(uri: string): Promise<string[]> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: PING_TIMEOUT_MS, connectTimeoutMS: PING_TIMEOUT_MS });
  try {
    await client.db('admin').command({ ping: 1 });
    return [];
  } catch (error) {
    return [
      `✘ Database: MONGODB_URI does not answer within ${PING_TIMEOUT_MS / 1000} s (${error instanceof Error ? error.name : 'error'}); the app will answer 503 until it does`,
      '  fix: check the URI and that the server runs (Atlas: Network Access must allow this machine), or unset MONGODB_URI for the embedded database',
    ];
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** npm run dev chose the database when it started; the shared client keeps it. */
const NEEDS_RESTART = new Set(['MONGODB_URI', 'MONGODB_DB']);

/**
 * What a changed .env.local does to the running app, said when Next reloads it:
 * which changes apply from the next request, which need a restart, which the
 * shell's environment overrides, and the webhook secret as it now is.
 */
export function envReloadLines(before: EnvSource, after: EnvSource, shell: EnvSource): string[] {
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((name) => before[name] !== after[name]).sort();
  if (changed.length === 0) return [];
  const shadowed = changed.filter((name) => shell[name] !== undefined);
  const restart = changed.filter((name) => !shadowed.includes(name) && NEEDS_RESTART.has(name));
  const live = changed.filter((name) => !shadowed.includes(name) && !restart.includes(name));
  const lines = [`▸ .env.local changed: ${changed.join(', ')}`];
  if (live.length > 0) lines.push(`  applies from the next request, no restart (Next reloaded the file): ${live.join(', ')}`);
  if (restart.length > 0) lines.push(`✘ ${restart.join(', ')}: restart npm run dev to use it (the database is chosen at start)`);
  if (shadowed.length > 0)
    lines.push(
      `✘ ${shadowed.join(', ')}: also set in the shell that started npm run dev, which wins over .env.local; unset it there and restart`,
    );
  if (changed.some((name) => name === 'CLERK_WEBHOOK_SECRET' || name === 'CLERK_WEBHOOK_SIGNING_SECRET')) {
    lines.push(...webhookSecretLines({ ...after, ...shell }));
  }
  return lines;
}
