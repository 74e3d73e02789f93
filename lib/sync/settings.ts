import { z } from 'zod';
import { settingSchemas } from '@/lib/env/schema';

/**
 * What `npm run sync` needs, and nothing more: it reads Clerk and writes
 * MongoDB, so the webhook secret and publishable key stay optional for it.
 */
const syncSettingsSchema = z.object({
  MONGODB_URI: settingSchemas.MONGODB_URI,
  MONGODB_DB: settingSchemas.MONGODB_DB,
  CLERK_SECRET_KEY: settingSchemas.CLERK_SECRET_KEY.pipe(
    z.string({ error: 'is required: the instance’s secret key, sk_test_… or sk_live_… (Clerk Dashboard → API keys)' }),
  ),
  CLERK_API_URL: settingSchemas.CLERK_API_URL,
});

export type SyncSettings = z.infer<typeof syncSettingsSchema>;

export type SettingsResult = { ok: true; settings: SyncSettings } | { ok: false; problems: string[] };

/** The settings, or one sentence per missing or malformed variable. */
export function parseSyncSettings(source: Record<string, string | undefined>): SettingsResult {
  const result = syncSettingsSchema.safeParse(source);
  if (result.success) return { ok: true, settings: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`) };
}
