import { z } from 'zod';
import { isWellFormedWebhookSecret, WEBHOOK_SECRET_RULE } from '../webhooks/secret.js';

/**
 * The variables the CLI reads, each with its rule. Each rule stands alone, so
 * one setting can be read while another is broken (`checkSetting`), and a
 * message names the variable and what it must be, never its value.
 */
const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const webhookSecret = optionalText.pipe(z.string().refine(isWellFormedWebhookSecret, { message: WEBHOOK_SECRET_RULE }).optional());

const variableSchemas = {
  MONGODB_URI: z
    .string({ error: 'is required: a mongodb:// or mongodb+srv:// connection string' })
    .trim()
    .regex(/^mongodb(\+srv)?:\/\/.+/, 'must start with mongodb:// or mongodb+srv://'),
  MONGODB_DB: optionalText.pipe(
    z
      .string()
      .regex(/^[^/\\. "$]{1,63}$/, 'must be a valid MongoDB database name')
      .optional(),
  ),
  CLERK_WEBHOOK_SECRET: webhookSecret,
  CLERK_WEBHOOK_SIGNING_SECRET: webhookSecret,
  CLERK_SECRET_KEY: optionalText.pipe(
    z
      .string()
      .regex(/^sk_(test|live)_\S+$/, 'must look like sk_test_… or sk_live_… (Clerk Dashboard → API keys)')
      .optional(),
  ),
  CLERK_API_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: optionalText.pipe(
    z
      .string()
      .regex(/^pk_(test|live)_\S+$/, 'must look like pk_test_… or pk_live_… (Clerk Dashboard → API keys)')
      .optional(),
  ),
};

export type Variable = keyof typeof variableSchemas;
export type Settings = { [V in Variable]: z.output<(typeof variableSchemas)[V]> };
export type Source = Record<string, string | undefined>;

/** A broken rule: the variable and what it must be, never its value. */
export type Problem = { variable: Variable; rule: string };

export function describeProblem({ variable, rule }: Problem): string {
  return `${variable} ${rule}`;
}

export type SettingCheck<V extends Variable> = { ok: true; value: Settings[V] } | { ok: false; problems: Problem[] };

/** One variable, checked on its own rule. */
export function checkSetting<V extends Variable>(source: Source, variable: V): SettingCheck<V> {
  const result = variableSchemas[variable].safeParse(source[variable]);
  if (result.success) return { ok: true, value: result.data as Settings[V] };
  return { ok: false, problems: result.error.issues.map((issue) => ({ variable, rule: issue.message })) };
}

/** Every broken rule among `variables` (default: all of them) in `source`. */
export function findProblems(source: Source, variables: readonly Variable[] = Object.keys(variableSchemas) as Variable[]): Problem[] {
  return variables.flatMap((variable) => {
    const checked = checkSetting(source, variable);
    return checked.ok ? [] : checked.problems;
  });
}

export type SyncSettings = {
  MONGODB_URI: string;
  MONGODB_DB: string | undefined;
  CLERK_SECRET_KEY: string;
  CLERK_API_URL: string | undefined;
};

export type SettingsResult = { ok: true; settings: SyncSettings } | { ok: false; problems: string[] };

const SECRET_KEY_REQUIRED = 'CLERK_SECRET_KEY is required: the instance’s secret key, sk_test_… or sk_live_… (Clerk Dashboard → API keys)';

/** What `sync` needs: the database and Clerk's secret key (+ CLERK_API_URL); one sentence per missing or malformed variable. */
export function parseSyncSettings(source: Source): SettingsResult {
  const problems = findProblems(source, ['MONGODB_URI', 'MONGODB_DB', 'CLERK_SECRET_KEY', 'CLERK_API_URL']).map(describeProblem);
  const secretKey = source.CLERK_SECRET_KEY?.trim();
  if (!secretKey) problems.unshift(SECRET_KEY_REQUIRED);
  if (problems.length > 0 || !secretKey) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      MONGODB_URI: source.MONGODB_URI!.trim(),
      MONGODB_DB: source.MONGODB_DB?.trim() || undefined,
      CLERK_SECRET_KEY: secretKey,
      CLERK_API_URL: source.CLERK_API_URL?.trim() || undefined,
    },
  };
}
