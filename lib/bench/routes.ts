/**
 * BENCHMARK-ONLY. Switch and names for the two routes `npm run bench` measures
 * beside the real webhook (app/api/webhooks/bench-floor, app/api/bench/naive-webhook).
 * They ship in every build but answer 404 unless the server was started with
 * BENCH_ROUTES=1, which only the benchmark launcher sets.
 */

export function benchRoutesEnabled(): boolean {
  return process.env.BENCH_ROUTES === '1';
}

export function benchRouteNotFound(): Response {
  return new Response(null, { status: 404 });
}

/** The naive handler's collection: deliberately without any index, as in the tutorials it imitates. */
export const NAIVE_USERS_COLLECTION = 'bench_naive_users';
