/**
 * Configuration for developer CLIs (webhook, doctor): the same files
 * `next dev` reads (.env.local and friends), with the same defaults the app
 * and `npm run dev` use.
 */
import path from 'node:path';
import { loadEnvConfig } from '@next/env';
import { DEFAULT_DATABASE_NAME } from '../../lib/db/database-name';
import { DEV_DB_PORT } from '../db/local-db';

export const ROOT = path.resolve(__dirname, '..', '..');

/** The embedded database `npm run dev` starts when MONGODB_URI is not set. */
export const DEV_DATABASE_URI = `mongodb://127.0.0.1:${DEV_DB_PORT}/${DEFAULT_DATABASE_NAME}`;

export type EnvSource = Record<string, string | undefined>;

/** process.env plus .env.local & co.; variables already in the environment win, as in Next.js. */
export function loadLocalEnv(): EnvSource {
  loadEnvConfig(ROOT, true, { info: () => {}, error: console.error });
  return process.env;
}
