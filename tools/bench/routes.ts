/**
 * BENCHMARK-ONLY: the routes `npm run bench` measures beside the real webhook,
 * app/api/webhooks/bench-floor/route.bench.ts,
 * app/api/webhooks/bench-seed-style/route.bench.ts and
 * app/api/bench/naive-webhook/route.bench.ts. The `.bench.ts` extension keeps
 * them out of every build but the benchmark's own (BENCH_BUILD=1, see
 * next.config.ts): a production build has no such route at all.
 */

/** The naive handler's collection: deliberately without any index, as in the tutorials it imitates. */
export const NAIVE_USERS_COLLECTION = 'bench_naive_users';

/** The seed-style handler's collection, with the unique index on clerkId that mongoose's `unique: true` builds. */
export const SEED_STYLE_USERS_COLLECTION = 'bench_seed_style_users';
