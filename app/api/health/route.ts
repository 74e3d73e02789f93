import packageJson from '@/package.json';
import { pingDatabase } from '@/lib/db/health';

export const dynamic = 'force-dynamic';

const NO_STORE = { 'Cache-Control': 'no-store' };

/** Liveness and database reachability for uptime monitors. Public by design: it reveals nothing but the app version. */
export async function GET(): Promise<Response> {
  const database = await pingDatabase();
  return database === 'up'
    ? Response.json({ ok: true, db: 'up', version: packageJson.version }, { headers: NO_STORE })
    : Response.json({ ok: false, db: 'down' }, { status: 503, headers: NO_STORE });
}
