import 'server-only';
import {
  checkSetting,
  describeProblem,
  ENV_SETTINGS,
  envError,
  EnvError,
  findEnvProblems,
  rawInputOf,
  type Env,
  type EnvProblem,
  type EnvSetting,
} from './schema';

export { EnvError, type Env, type EnvProblem };

let settings: Env | undefined;

/**
 * The server configuration. Each setting is parsed when first read, and again
 * only when its variable changes (`next dev` reloads a changed .env.local into
 * process.env: the webhook secret and the rest then apply from the next
 * request); reading a broken one throws an `EnvError` naming it and its fix.
 * Per setting rather than all at once, so a malformed webhook secret fails the
 * webhook route but not the database client (it reads MONGODB_URI only).
 * Lazy rather than at import time so a `next build` without production
 * secrets still succeeds.
 */
export function env(): Env {
  settings ??= settingsReadOnDemand();
  return settings;
}

function settingsReadOnDemand(): Env {
  const parsed = new Map<EnvSetting, { input: string; value: unknown }>();
  const view = {};
  for (const setting of ENV_SETTINGS) {
    Object.defineProperty(view, setting, {
      enumerable: true,
      get() {
        const input = rawInputOf(process.env, setting);
        const known = parsed.get(setting);
        if (known?.input === input) return known.value;
        const value = read(setting);
        parsed.set(setting, { input, value });
        return value;
      },
    });
  }
  // Sound: the view has a getter for every setting of Env (ENV_SETTINGS), each returning checkSetting's value.
  return view as Env;
}

function read(setting: EnvSetting): unknown {
  const checked = checkSetting(process.env, setting);
  if (checked.ok) return checked.value;
  throw envError(checked.problems.map(describeProblem));
}

/** Every broken rule of the whole configuration as it is now (for /api/health; never values). */
export function configProblems(): EnvProblem[] {
  return findEnvProblems(process.env);
}
