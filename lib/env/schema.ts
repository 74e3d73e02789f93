import { z } from 'zod';
import { invalidOriginsMessage, parseOriginList } from '../security/authorized-parties';

/**
 * Every server-side setting the app reads, in one schema. Pure (no
 * `server-only`) so CLI scripts and unit tests can use it; app code imports
 * the parsed result from `lib/env/index.ts`.
 */

const MIN_SECRET_BYTES = 24;

/** `whsec_` + base64 of at least 24 bytes, as the Clerk dashboard shows it. */
const webhookSecretSchema = z.string().trim().refine(isWellFormedWebhookSecret, {
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

/** The app's origins (APP_ORIGINS): whose session tokens the middleware accepts (lib/security/authorized-parties.ts). */
const originList = z
  .string()
  .optional()
  .transform((value, context) => {
    const parsed = parseOriginList(value);
    if (parsed.ok) return parsed.origins;
    context.addIssue({ code: 'custom', message: invalidOriginsMessage(parsed.invalid) });
    return z.NEVER;
  });

/** What happens to a deleted user's records (see lib/deletion/cascade.ts). */
const DELETION_POLICIES = ['delete', 'anonymize'] as const;
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];

export const DEFAULT_PRESENCE_WINDOW_SECONDS = 300;
/**
 * While a tab is visible, `lastSeen` lags real activity by up to the write
 * interval plus the heartbeat interval (75 s, lib/presence/timing.ts). A
 * shorter window would flicker an active user offline between writes.
 */
const MIN_PRESENCE_WINDOW_SECONDS = 120;
const MAX_PRESENCE_WINDOW_SECONDS = 24 * 3600;

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

type WebhookSecretVariables = { CLERK_WEBHOOK_SECRET?: string; CLERK_WEBHOOK_SIGNING_SECRET?: string };

/**
 * The webhook secret the app verifies with, for the app and the CLIs alike:
 * CLERK_WEBHOOK_SECRET, else CLERK_WEBHOOK_SIGNING_SECRET (the seeds use the
 * first, Clerk's helper reads the second); blank counts as unset.
 */
export function webhookSecretOf(variables: WebhookSecretVariables): string | undefined {
  return variables.CLERK_WEBHOOK_SECRET?.trim() || variables.CLERK_WEBHOOK_SIGNING_SECRET?.trim() || undefined;
}

/** Every setting of the app and its CLIs, in one schema; `npm run sync` also requires CLERK_SECRET_KEY (see lib/sync/settings.ts). */
const envSchema = z
  .object({
    MONGODB_URI: z
      .string({ error: 'is required: a mongodb:// or mongodb+srv:// connection string (npm run dev sets it for the embedded database)' })
      .trim()
      .regex(/^mongodb(\+srv)?:\/\/.+/, 'must start with mongodb:// or mongodb+srv://'),
    MONGODB_DB: optionalText.pipe(z.string().regex(/^[^/\\. "$]{1,63}$/, 'must be a valid MongoDB database name').optional()),
    CLERK_WEBHOOK_SECRET: optionalText.pipe(webhookSecretSchema.optional()),
    CLERK_WEBHOOK_SIGNING_SECRET: optionalText.pipe(webhookSecretSchema.optional()),
    CLERK_SECRET_KEY: optionalText.pipe(
      z.string().regex(/^sk_(test|live)_\S+$/, 'must look like sk_test_… or sk_live_… (Clerk Dashboard → API keys)').optional(),
    ),
    /** Where Clerk's Backend API is (the SDK reads it too); tests point it at a local double. */
    CLERK_API_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
    NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: optionalText.pipe(
      z.string().regex(/^pk_(test|live)_\S+$/, 'must look like pk_test_… or pk_live_… (Clerk Dashboard → API keys)').optional(),
    ),
    APP_ORIGINS: originList,
    ADMIN_USER_IDS: commaList,
    DELETION_POLICY: optionalText.pipe(
      z.enum(DELETION_POLICIES, { error: 'must be "delete" (remove a deleted user\'s records) or "anonymize" (keep them, unlinked)' }).default('delete'),
    ),
    PRESENCE_WINDOW_SECONDS: presenceWindowSeconds,
  })
  .transform(({ CLERK_WEBHOOK_SECRET, CLERK_WEBHOOK_SIGNING_SECRET, ...rest }) => ({
    ...rest,
    webhookSecret: webhookSecretOf({ CLERK_WEBHOOK_SECRET, CLERK_WEBHOOK_SIGNING_SECRET }),
  }));

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  override name = 'EnvError';
}

export type EnvCheck = { ok: true; env: Env } | { ok: false; problems: string[] };

/** The parsed settings, or one sentence per missing or malformed variable (naming it and its fix). */
export function checkEnv(source: Record<string, string | undefined>): EnvCheck {
  const result = envSchema.safeParse(source);
  if (result.success) return { ok: true, env: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`) };
}

/** Parses `source` or throws an `EnvError` whose message names each bad variable and its fix. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const checked = checkEnv(source);
  if (checked.ok) return checked.env;
  const lines = checked.problems.map((problem) => `  - ${problem}`);
  throw new EnvError(
    `Invalid configuration:\n${lines.join('\n')}\nSet these in .env.local (see .env.local.example) or in your host's environment settings.`,
  );
}
