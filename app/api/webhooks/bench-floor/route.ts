/**
 * BENCHMARK-ONLY: the floor of `npm run bench` — a route handler that reads the
 * body and answers, nothing else. Outside Clerk's middleware like the real
 * webhook route. 404 unless BENCH_ROUTES=1 (see lib/bench/routes.ts).
 */
import { benchRouteNotFound, benchRoutesEnabled } from '@/lib/bench/routes';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  if (!benchRoutesEnabled()) return benchRouteNotFound();
  await request.text();
  return Response.json({ ok: true });
}
