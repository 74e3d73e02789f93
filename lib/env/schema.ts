import { z } from 'zod';
import { DEFAULT_PRESENCE_WINDOW_SECONDS, MAX_PRESENCE_WINDOW_SECONDS, MIN_PRESENCE_WINDOW_SECONDS } from '../presence/timing';

/**
 * Every server-side setting the app reads, in one schema. Pure (no
 * `server-only`) so CLI scripts and unit tests can use it; app code imports
 * the parsed result from `lib/env.ts`.
 */

const MIN_SECRET_BYTES = 24;

/** `whsec_` + base64 of at least 24 bytes, as the Clerk dashboard shows it. */
export const webhookSecretSchema = z.string().trim().refine(isWellFormedWebhookSecret, {
  message: `must be "whsec_" followed by base64 of at least ${MIN_SECRET_BYTES} bytes; copy the Signing Secret from Clerk Dashboard → Webhooks → your endpoint`,
});

export function isWellFormedWebhookSecret(secret: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!match?.[1] || match[1].length % 4 !== 0) return false;
  return Buffer.from(match[1], 'base64').length >= MIN_SECRET_BYTES;
}

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const commaList = z
  .string()
  .optional()
  .transform((value) => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean));

/** What happens to a deleted user's records (see lib/deletion/cascade.ts). */
export const DELETION_POLICIES = ['delete', 'anonymize'] as const;
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];

/** Seconds since a user's last activity during which a user with a live session counts as online. */
const presenceWindowSeconds = optionalText.pipe(
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number of seconds')
    .transform(Number)
    .pipe(
      z
        .number()
        .min(MIN_PRESENCE_WINDOW_SECONDS, `must be at least ${MIN_PRESENCE_WINDOW_SECONDS} (heartbeats write lastSeen every 30–75 s; a shorter window flickers)`)
        .max(MAX_PRESENCE_WINDOW_SECONDS, `must be at most ${MAX_PRESENCE_WINDOW_SECONDS} (one day)`),
    )
    .default(DEFAULT_PRESENCE_WINDOW_SECONDS),
);

/** Each setting's schema, shared by the app's schema below and CLIs that need only some of them (npm run sync). */
export const settingSchemas = {
  MONGODB_URI: z
    .string({ error: 'is required: a mongodb:// or mongodb+srv:// connection string (npm run dev sets it for the embedded database)' })
    .trim()
    .regex(/^mongodb(\+srv)?:\/\/.+/, 'must start with mongodb:// or mongodb+srv://'),
  MONGODB_DB: optionalText.pipe(z.string().regex(/^[^/\\. "$]{1,63}$/, 'must be a valid MongoDB database name').optional()),
  CLERK_SECRET_KEY: optionalText.pipe(
    z.string().regex(/^sk_(test|live)_\S+$/, 'must look like sk_test_… or sk_live_… (Clerk Dashboard → API keys)').optional(),
  ),
  CLERK_API_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
};

export const envSchema = z
  .object({
    MONGODB_URI: settingSchemas.MONGODB_URI,
    MONGODB_DB: settingSchemas.MONGODB_DB,
    CLERK_WEBHOOK_SECRET: optionalText.pipe(webhookSecretSchema.optional()),
    CLERK_WEBHOOK_SIGNING_SECRET: optionalText.pipe(webhookSecretSchema.optional()),
    CLERK_SECRET_KEY: settingSchemas.CLERK_SECRET_KEY,
    NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: optionalText.pipe(
      z.string().regex(/^pk_(test|live)_\S+$/, 'must look like pk_test_… or pk_live_… (Clerk Dashboard → API keys)').optional(),
    ),
    ADMIN_USER_IDS: commaList,
    DELETION_POLICY: optionalText.pipe(
      z.enum(DELETION_POLICIES, { error: 'must be "delete" (remove a deleted user\'s records) or "anonymize" (keep them, unlinked)' }).default('delete'),
    ),
    PRESENCE_WINDOW_SECONDS: presenceWindowSeconds,
  })
  .transform(({ CLERK_WEBHOOK_SECRET, CLERK_WEBHOOK_SIGNING_SECRET, ...rest }) => ({
    ...rest,
    /** Either name works: the seeds use the first, Clerk's helper reads the second. */
    webhookSecret: CLERK_WEBHOOK_SECRET ?? CLERK_WEBHOOK_SIGNING_SECRET,
  }));

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  override name = 'EnvError';
}

/** Parses `source` or throws an `EnvError` whose message names each bad variable and its fix. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  - ${issue.path.join('.') || 'environment'} ${issue.message}`);
  throw new EnvError(
    `Invalid configuration:\n${lines.join('\n')}\nSet these in .env.local (see .env.local.example) or in your host's environment settings.`,
  );
}
