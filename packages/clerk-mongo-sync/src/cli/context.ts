import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import type { CollectionNames } from '../db/indexes.js';
import type { ClerkSync } from '../engine/create.js';
import type { Source } from './settings.js';

export const COMMANDS = ['secret', 'send', 'doctor', 'sync', 'db'] as const;
export type CommandName = (typeof COMMANDS)[number];

/**
 * How the CLI runs: `clerk-mongo-sync <command>` on its own, or wrapped by an
 * app's scripts (`npm run doctor`), which know more about where the app runs
 * and say so in every message. All optional.
 */
export type CliOptions = {
  /** The variables: default, the process environment over `.env.local` and `.env` of `cwd` (the environment wins). */
  env?: Source;
  /** Where `.env.local`, `.env` and the state file are; default the current directory. */
  cwd?: string;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** What the user typed to run a command, for usage lines (`npm run sync --`); default `clerk-mongo-sync <command>`. */
  invokedAs?: (command: CommandName) => string;
  /** The webhook endpoint `send` and `doctor` use without `--url`, and where that address comes from (said when nothing answers there). */
  endpoint?: { url: string; source: string };
  /** What starts the app, for the fixes (default "start your app"). */
  startApp?: string;
  /** The database when MONGODB_URI is not set: its URI, and the fix when it does not answer (e.g. how to start it). */
  fallbackDatabase?: { uri: string; fix: string };
  /** The engine's collection names, where not the defaults (a `clerkSync` given brings its own). */
  collections?: Partial<CollectionNames>;
  /**
   * The app's configured engine: `sync` writes through it, so its `mapUser`
   * fields are filled in too (the bin alone knows no `mapUser`).
   */
  clerkSync?: ClerkSync;
  /** `db user <id>`: the app's own records of the user, each collection with the field that holds the user's Clerk id. */
  linked?: readonly { collection: string; field: string }[];
  /** Where `send` remembers the last user and session; default `node_modules/.cache/clerk-mongo-sync/send.json`. */
  stateFile?: string;
  /** The file `secret --write` writes to; default `.env.local`. */
  envFile?: string;
};

/** The options with every default filled in. */
export type Cli = Required<Omit<CliOptions, 'endpoint' | 'fallbackDatabase' | 'collections' | 'linked' | 'clerkSync'>> &
  Pick<CliOptions, 'fallbackDatabase' | 'collections' | 'clerkSync'> & {
    endpoint: { url: string; source: string };
    linked: readonly { collection: string; field: string }[];
  };

export const DEFAULT_ENDPOINT = 'http://localhost:3000/api/webhooks/clerk';

export function resolveCli(options: CliOptions = {}): Cli {
  const cwd = options.cwd ?? process.cwd();
  return {
    cwd,
    env: options.env ?? loadEnv(cwd),
    out: options.out ?? ((line) => console.log(line)),
    err: options.err ?? ((line) => console.error(line)),
    invokedAs: options.invokedAs ?? ((command) => `clerk-mongo-sync ${command}`),
    endpoint: options.endpoint ?? { url: DEFAULT_ENDPOINT, source: 'the default; pass --url <endpoint> for another address' },
    startApp: options.startApp ?? 'start your app',
    fallbackDatabase: options.fallbackDatabase,
    collections: options.clerkSync?.collections ?? options.collections,
    clerkSync: options.clerkSync,
    linked: options.linked ?? [],
    stateFile: options.stateFile ?? path.join(cwd, 'node_modules', '.cache', 'clerk-mongo-sync', 'send.json'),
    envFile: options.envFile ?? path.join(cwd, '.env.local'),
  };
}

function readEnvFile(file: string): Source {
  try {
    return parseEnv(readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

/**
 * The process environment over `.env.local` and `.env` of `cwd`, as Next.js
 * reads them: a variable already in the environment wins, then the first file
 * that sets it. With NODE_ENV=test, `.env.local` is skipped (as Next does), so
 * tests never read a developer's secrets.
 */
export function loadEnv(cwd: string): Source {
  const files = [...(process.env.NODE_ENV === 'test' ? [] : ['.env.local']), '.env'];
  const fromFiles = files.map((file) => readEnvFile(path.join(cwd, file)));
  return Object.assign({}, ...fromFiles.reverse(), process.env) as Source;
}
