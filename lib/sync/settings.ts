import { checkEnv, type Env } from '@/lib/env/schema';

/**
 * `npm run sync` reads the app's own settings (lib/env/schema.ts) and also
 * needs the instance's secret key, which the app itself may do without.
 */
export type SyncSettings = Env & { CLERK_SECRET_KEY: string };

export type SettingsResult = { ok: true; settings: SyncSettings } | { ok: false; problems: string[] };

const SECRET_KEY_REQUIRED = 'CLERK_SECRET_KEY is required: the instance’s secret key, sk_test_… or sk_live_… (Clerk Dashboard → API keys)';

/** The settings, or one sentence per missing or malformed variable. */
export function parseSyncSettings(source: Record<string, string | undefined>): SettingsResult {
  const checked = checkEnv(source);
  const secretMissing = !source.CLERK_SECRET_KEY?.trim();
  if (checked.ok && !secretMissing) return { ok: true, settings: { ...checked.env, CLERK_SECRET_KEY: checked.env.CLERK_SECRET_KEY! } };
  return { ok: false, problems: [...(secretMissing ? [SECRET_KEY_REQUIRED] : []), ...(checked.ok ? [] : checked.problems)] };
}
