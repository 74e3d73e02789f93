import { z } from 'zod';
import {
  DEFAULT_PRESENCE_WINDOW_SECONDS,
  isWellFormedWebhookSecret,
  presenceWindowProblem,
  WEBHOOK_SECRET_RULE,
  webhookSecretOf,
} from 'clerk-mongo-sync';
import { ORIGINS_RULE, parseOriginList } from '../security/authorized-parties';

/**
 * Every server-side setting the app reads, in one schema. Pure (no
 * `server-only`) so CLI scripts and unit tests can use it; app code imports
 * the parsed result from `lib/env/index.ts`.
 */

/** `whsec_` + base64 of at least 24 bytes, as the Clerk dashboard shows it (the engine's own rule). */
const webhookSecretSchema = z.string().trim().refine(isWellFormedWebhookSecret, { message: WEBHOOK_SECRET_RULE });

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const commaList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

/** The app's origins (APP_ORIGINS): whose session tokens the middleware accepts (lib/security/authorized-parties.ts). */
const originList = z
  .string()
  .optional()
  .transform((value, context) => {
    const parsed = parseOriginList(value);
    if (parsed.ok) return parsed.origins;
    // The rule as the message, the entries apart: /api/health shows the rule and never a value.
    context.addIssue({ code: 'custom', message: ORIGINS_RULE, params: { rejected: parsed.invalid.join(', ') } });
    return z.NEVER;
  });

/** What happens to a deleted user's records (the engine's `onUserDeleted` hook, lib/clerk-sync.ts). */
const DELETION_POLICIES = ['delete', 'anonymize'] as const;
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];

export { DEFAULT_PRESENCE_WINDOW_SECONDS };

/** Seconds since a user's last activity during which a user with a live session counts as online: the engine's rule. */
const presenceWindowSeconds = optionalText.pipe(
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number of seconds')
    .transform(Number)
    .superRefine((seconds, context) => {
      const problem = presenceWindowProblem(seconds);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    })
    .default(DEFAULT_PRESENCE_WINDOW_SECONDS),
);

/**
 * Every variable of the app and its CLIs with its rule; `npm run sync` also
 * requires CLERK_SECRET_KEY (the engine's CLI checks it). Each rule stands
 * alone, so one setting can be read while another is broken (`checkSetting`).
 */
const variableSchemas = {
  MONGODB_URI: z
    .string({ error: 'is required: a mongodb:// or mongodb+srv:// connection string (npm run dev sets it for the embedded database)' })
    .trim()
    .regex(/^mongodb(\+srv)?:\/\/.+/, 'must start with mongodb:// or mongodb+srv://'),
  MONGODB_DB: optionalText.pipe(
    z
      .string()
      .regex(/^[^/\\. "$]{1,63}$/, 'must be a valid MongoDB database name')
      .optional(),
  ),
  CLERK_WEBHOOK_SECRET: optionalText.pipe(webhookSecretSchema.optional()),
  CLERK_WEBHOOK_SIGNING_SECRET: optionalText.pipe(webhookSecretSchema.optional()),
  CLERK_SECRET_KEY: optionalText.pipe(
    z
      .string()
      .regex(/^sk_(test|live)_\S+$/, 'must look like sk_test_… or sk_live_… (Clerk Dashboard → API keys)')
      .optional(),
  ),
  /** Where Clerk's Backend API is (the SDK reads it too); tests point it at a local double. */
  CLERK_API_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: optionalText.pipe(
    z
      .string()
      .regex(/^pk_(test|live)_\S+$/, 'must look like pk_test_… or pk_live_… (Clerk Dashboard → API keys)')
      .optional(),
  ),
  APP_ORIGINS: originList,
  ADMIN_USER_IDS: commaList,
  DELETION_POLICY: optionalText.pipe(
    z
      .enum(DELETION_POLICIES, { error: 'must be "delete" (remove a deleted user\'s records) or "anonymize" (keep them, unlinked)' })
      .default('delete'),
  ),
  PRESENCE_WINDOW_SECONDS: presenceWindowSeconds,
};

export type EnvVariable = keyof typeof variableSchemas;
export const ENV_VARIABLES = Object.keys(variableSchemas) as EnvVariable[];

const envSchema = z.object(variableSchemas).transform(({ CLERK_WEBHOOK_SECRET, CLERK_WEBHOOK_SIGNING_SECRET, ...rest }) => ({
  ...rest,
  webhookSecret: webhookSecretOf({ CLERK_WEBHOOK_SECRET, CLERK_WEBHOOK_SIGNING_SECRET }),
}));

export type Env = z.infer<typeof envSchema>;
export type EnvSetting = keyof Env;

const WEBHOOK_SECRET_VARIABLES: readonly EnvVariable[] = ['CLERK_WEBHOOK_SECRET', 'CLERK_WEBHOOK_SIGNING_SECRET'];

/** The settings of `Env`, one per variable except the webhook secret, read from either of its two names. */
export const ENV_SETTINGS = [...ENV_VARIABLES.filter((name) => !WEBHOOK_SECRET_VARIABLES.includes(name)), 'webhookSecret'] as EnvSetting[];

function variablesOf(setting: EnvSetting): readonly EnvVariable[] {
  return setting === 'webhookSecret' ? WEBHOOK_SECRET_VARIABLES : [setting];
}

/** The raw text a setting is parsed from, as one string: equal strings parse to equal values. */
export function rawInputOf(source: Record<string, string | undefined>, setting: EnvSetting): string {
  return JSON.stringify(variablesOf(setting).map((variable) => source[variable] ?? null));
}

/**
 * A broken rule: the variable and what it must be. `rule` never contains the
 * value (safe for a public answer such as /api/health); `rejected`, when
 * present, names the offending entries for local output only.
 */
export type EnvProblem = { variable: string; rule: string; rejected?: string };

function problemOf(issue: z.core.$ZodIssue, variable?: string): EnvProblem {
  const rejected = issue.code === 'custom' && typeof issue.params?.rejected === 'string' ? issue.params.rejected : undefined;
  return { variable: variable ?? (issue.path.join('.') || 'environment'), rule: issue.message, ...(rejected ? { rejected } : {}) };
}

/** One line per problem, for developers: the rule and, for lists, the rejected entries (never a secret). */
export function describeProblem({ variable, rule, rejected }: EnvProblem): string {
  return `${variable} ${rule}${rejected ? `; not: ${rejected}` : ''}`;
}

/** Every broken rule in `source`; empty when the configuration is valid. */
export function findEnvProblems(source: Record<string, string | undefined>): EnvProblem[] {
  const result = envSchema.safeParse(source);
  return result.success ? [] : result.error.issues.map((issue) => problemOf(issue));
}

export type SettingCheck<K extends EnvSetting> = { ok: true; value: Env[K] } | { ok: false; problems: EnvProblem[] };

/** One setting, checked on its own rules only: a malformed webhook secret does not stop the database client. */
export function checkSetting<K extends EnvSetting>(source: Record<string, string | undefined>, setting: K): SettingCheck<K> {
  const values = new Map<EnvVariable, unknown>();
  const problems: EnvProblem[] = [];
  for (const variable of variablesOf(setting)) {
    const result = variableSchemas[variable].safeParse(source[variable]);
    if (result.success) values.set(variable, result.data);
    else problems.push(...result.error.issues.map((issue) => problemOf(issue, variable)));
  }
  if (problems.length > 0) return { ok: false, problems };
  // Both names passed their rule, so the raw values pick the secret exactly as the full parse does.
  const value = setting === 'webhookSecret' ? webhookSecretOf(source) : values.get(setting as EnvVariable);
  // Sound: `value` is what `variableSchemas[setting]` (or the transform, for the secret) outputs for this setting.
  return { ok: true, value: value as Env[K] };
}

export class EnvError extends Error {
  override name = 'EnvError';

  constructor(
    message: string,
    /** One sentence per broken rule (`describeProblem`), without the message's frame. */
    readonly problems: readonly string[] = [],
  ) {
    super(message);
  }
}

export type EnvCheck = { ok: true; env: Env } | { ok: false; problems: string[] };

/** The parsed settings, or one sentence per missing or malformed variable (naming it and its fix). */
export function checkEnv(source: Record<string, string | undefined>): EnvCheck {
  const result = envSchema.safeParse(source);
  if (result.success) return { ok: true, env: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => describeProblem(problemOf(issue))) };
}

/** Parses `source` or throws an `EnvError` whose message names each bad variable and its fix. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const checked = checkEnv(source);
  if (checked.ok) return checked.env;
  throw envError(checked.problems);
}

/** An `EnvError` listing `problems` (sentences from `describeProblem`) and where to fix them. */
export function envError(problems: readonly string[]): EnvError {
  const lines = problems.map((problem) => `  - ${problem}`);
  return new EnvError(
    `Invalid configuration:\n${lines.join('\n')}\nSet these in .env.local (see .env.local.example) or in your host's environment settings.`,
    problems,
  );
}
