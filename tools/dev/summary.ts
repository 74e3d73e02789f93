/**
 * What `npm run dev` prints before Next starts, beside the database line:
 * Clerk's mode and the webhook secret, each as it will behave, with the fix
 * when it cannot work. The same checks as `npm run doctor` (tools/doctor).
 */
import { MongoClient } from 'mongodb';
import { checkClerkKeyFormat, checkWebhookSecret } from '../doctor/env-checks';
import type { CheckResult } from '../doctor/result';
import type { EnvSource } from '../lib/local-env';

function line(label: string, check: CheckResult): string[] {
  return check.ok ? [`▸ ${label}: ${check.detail}`] : [`✘ ${label}: ${check.detail}`, `  fix: ${check.fix}`];
}

/** Clerk: keyless mode when no key is set at all, else the keys' format as doctor judges it (doctor also asks Clerk). */
export function clerkModeLines(env: EnvSource): string[] {
  const noKeys = !env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY?.trim() && !env.CLERK_SECRET_KEY?.trim();
  if (noKeys) {
    return ['▸ Clerk: keyless mode — no keys set, so Clerk hands out temporary development keys on the first page load (needs internet)'];
  }
  const format = checkClerkKeyFormat(env);
  return format.ok ? [`▸ Clerk: ${format.summary} (format checked; npm run doctor asks Clerk)`] : line('Clerk', format.result);
}

export function webhookSecretLines(env: EnvSource): string[] {
  return line('Webhook secret', checkWebhookSecret(env));
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
