/**
 * BENCHMARK-ONLY: the two routes `npm run bench` measures beside the real
 * webhook, app/api/webhooks/bench-floor/route.bench.ts and
 * app/api/bench/naive-webhook/route.bench.ts. The `.bench.ts` extension keeps
 * them out of every build but the benchmark's own (BENCH_BUILD=1, see
 * next.config.ts): a production build has no such route at all.
 */

/** The naive handler's collection: deliberately without any index, as in the tutorials it imitates. */
export const NAIVE_USERS_COLLECTION = 'bench_naive_users';
