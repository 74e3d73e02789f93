import 'server-only';
import { beforeDeadline } from '@/lib/deadline';
import { EnvError } from '@/lib/env';
import { connectedClient } from './client';

/** Health checks answer fast: a load balancer waiting on a dead database learns nothing more after 1.5 s. */
const HEALTH_TIMEOUT_MS = 1_500;

export type DatabaseHealth = 'up' | 'down';

/**
 * Pings the database on the shared client, giving up after `timeoutMs`. The
 * driver would keep selecting a server for DB_TIMEOUT_MS, so the ping races a
 * timer; a late answer is simply dropped. Missing configuration counts as down.
 */
export function pingDatabase(timeoutMs = HEALTH_TIMEOUT_MS): Promise<DatabaseHealth> {
  return beforeDeadline(ping(), timeoutMs, 'down');
}

async function ping(): Promise<DatabaseHealth> {
  try {
    // Through the explicit connect: after a failed implicit first connect the driver stays closed for good.
    await (await connectedClient()).db('admin').command({ ping: 1 });
    return 'up';
  } catch (error) {
    if (error instanceof EnvError) console.error(error.message);
    else console.warn(JSON.stringify({ event: 'health_ping_failed', error: error instanceof Error ? error.name : 'unknown' }));
    return 'down';
  }
}
