import packageJson from '@/package.json';
import { checkHealth, type Health } from '@/lib/db/health';

export const dynamic = 'force-dynamic';

const NO_STORE = { 'Cache-Control': 'no-store' };

/**
 * Configuration and database reachability for uptime monitors and newcomers.
 * Public by design: it reveals the app version, and for broken configuration
 * the variable names and their rules, never a value.
 *
 * - 200: configuration valid and database up.
 * - 503: database down (or unreachable in 1.5 s), whatever the configuration: waiting may fix it.
 * - 500: configuration invalid with the database up or not configured: nothing fixes it but a
 *   deployment with corrected variables, so it is the server's own error, not an outage.
 */
export async function GET(): Promise<Response> {
  const health = await checkHealth();
  if (health.config === 'valid' && health.db === 'up') {
    return Response.json({ ok: true, config: 'valid', db: 'up', version: packageJson.version }, { headers: NO_STORE });
  }
  return Response.json({ ok: false, ...health }, { status: statusOf(health), headers: NO_STORE });
}

function statusOf(health: Health): number {
  return health.db === 'down' ? 503 : 500;
}
