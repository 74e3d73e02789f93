/**
 * BENCHMARK-ONLY: the floor of `npm run bench` — a route handler that reads the
 * body and answers, nothing else. Outside Clerk's middleware like the real
 * webhook route. Only in benchmark builds (see tools/bench/routes.ts).
 */
export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  await request.text();
  return Response.json({ ok: true });
}
