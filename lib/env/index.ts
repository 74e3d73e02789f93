import 'server-only';
import { EnvError, parseEnv, type Env } from './schema';

export { EnvError, type Env };

let cached: Env | undefined;

/**
 * The server configuration, parsed once. Lazy rather than at import time so a
 * `next build` without production secrets still succeeds; the first request
 * that needs configuration reports every problem in one message.
 */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
