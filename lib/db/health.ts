import 'server-only';
import { setTimeout as sleep } from 'node:timers/promises';
import { configProblems, EnvError } from '@/lib/env';
import { connectedClient } from './client';

/** Health checks answer fast: a load balancer waiting on a dead database learns nothing more after 1.5 s. */
const HEALTH_TIMEOUT_MS = 1_500;

/** `not_configured`: MONGODB_URI is missing or malformed, so there is no database to ask. */
export type DatabaseHealth = 'up' | 'down' | 'not_configured';

/**
 * Configuration and database, reported apart so neither is mistaken for the
 * other. `problems` name each variable and the rule it breaks, never a value:
 * the answer is public.
 */
export type Health = { config: 'valid'; db: DatabaseHealth } | { config: 'invalid'; problems: string[]; db: DatabaseHealth };

export async function checkHealth(timeoutMs = HEALTH_TIMEOUT_MS): Promise<Health> {
  const db = await pingDatabase(timeoutMs);
  const problems = configProblems().map(({ variable, rule }) => `${variable} ${rule}`);
  return problems.length === 0 ? { config: 'valid', db } : { config: 'invalid', problems, db };
}

/**
 * Pings the database on the shared client, giving up after `timeoutMs`. The
 * driver would keep selecting a server for DB_TIMEOUT_MS, so the ping races a
 * timer; a late answer is simply dropped.
 */
async function pingDatabase(timeoutMs = HEALTH_TIMEOUT_MS): Promise<DatabaseHealth> {
  const timer = new AbortController();
  const late = sleep(timeoutMs, 'down' as const, { signal: timer.signal }).catch(() => 'down' as const);
  try {
    return await Promise.race([ping(), late]);
  } finally {
    timer.abort();
  }
}

async function ping(): Promise<DatabaseHealth> {
  try {
    // Through the explicit connect: after a failed implicit first connect the driver stays closed for good.
    await (await connectedClient()).db('admin').command({ ping: 1 });
    return 'up';
  } catch (error) {
    // The client reads only the database settings (env() checks each setting alone), so this is MONGODB_URI's.
    if (error instanceof EnvError) return 'not_configured';
    console.warn(JSON.stringify({ event: 'health_ping_failed', error: error instanceof Error ? error.name : 'unknown' }));
    return 'down';
  }
}
