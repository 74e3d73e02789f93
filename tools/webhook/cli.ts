/**
 * `npm run webhook -- send <type> [options]`: one signed Clerk event to a
 * running app, no tunnel and no Clerk account needed.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkSetting, describeProblem, webhookSecretOf } from '../../lib/env/schema';
import { newWebhookSecret } from '../clerk/svix';
import { webhookTarget } from '../lib/dev-server';
import { routeAnswer } from '../lib/http';
import { ROOT, type EnvSource } from '../lib/local-env';
import { writeWebhookSecret } from './env-file';
import {
  buildEvent,
  isSendableEventType,
  lastUserStore,
  sendSignedEvent,
  SENDABLE_EVENT_TYPES,
  SenderError,
  type ProfileChanges,
} from './sender';

export const LAST_USER_FILE = path.join(ROOT, '.data', 'webhook-last-user.json');
export const ENV_LOCAL_FILE = path.join(ROOT, '.env.local');

const USAGE = `Usage:
  npm run webhook -- send <type> [options]   sign a realistic Clerk event and POST it to the app
  npm run webhook -- secret                  print a fresh whsec_ secret for CLERK_WEBHOOK_SECRET
  npm run webhook -- secret --write          put one into .env.local (kept if one is set there; --force replaces it)

Types: ${SENDABLE_EVENT_TYPES.join(', ')}

Options:
  --user <id>          the Clerk user id (default: a new id for user.created, else the last user created;
                       session.ended/removed/revoked end that user's last session.created)
  --url <endpoint>     default: the webhook route of the running npm run dev (it records its port in
                       .data/dev-server.json), else http://localhost:3000/api/webhooks/clerk
  --secret <whsec_…>   default CLERK_WEBHOOK_SECRET (or CLERK_WEBHOOK_SIGNING_SECRET) from .env.local
  --first-name, --last-name, --username, --email, --phone <value>
  --role <role>        sets public_metadata.role (e.g. admin)
  --print              also print the payload sent`;

export type CliIo = {
  env: EnvSource;
  lastUserFile: string;
  /** Where `npm run dev` records its port (tools/lib/dev-server.ts). */
  devServerFile: string;
  /** The file `secret --write` writes to. */
  envLocalFile: string;
  out: (line: string) => void;
  err: (line: string) => void;
};

const OPTIONS = {
  user: { type: 'string' },
  url: { type: 'string' },
  secret: { type: 'string' },
  'first-name': { type: 'string' },
  'last-name': { type: 'string' },
  username: { type: 'string' },
  email: { type: 'string' },
  phone: { type: 'string' },
  role: { type: 'string' },
  print: { type: 'boolean' },
  write: { type: 'boolean' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs the command; returns the process exit code (0 = delivered with a 2xx, 1 = not, 2 = usage error). */
export async function runWebhookCli(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, type] = positionals;

  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (command === 'secret') return secretCommand(io, values);
  if (command !== 'send' || !type || positionals.length > 2) {
    io.err(USAGE);
    return 2;
  }
  if (!isSendableEventType(type)) {
    io.err(`unknown event type "${type}"; one of: ${SENDABLE_EVENT_TYPES.join(', ')}`);
    return 2;
  }

  const secret = values.secret ?? webhookSecretOf(io.env);
  if (!secret) {
    io.err(
      'No webhook secret: set CLERK_WEBHOOK_SECRET in .env.local (the one the app uses), or pass --secret. `npm run webhook -- secret --write` puts one there.',
    );
    return 2;
  }
  const checked = checkSetting({ CLERK_WEBHOOK_SECRET: secret }, 'webhookSecret');
  if (!checked.ok) {
    io.err(`The webhook secret is malformed: ${checked.problems.map(describeProblem).join('; ')}.`);
    return 2;
  }

  const store = lastUserStore(io.lastUserFile);
  const changes: ProfileChanges = {
    firstName: values['first-name'],
    lastName: values['last-name'],
    username: values.username,
    email: values.email,
    phone: values.phone,
    role: values.role,
  };
  let built;
  try {
    built = buildEvent(type, { userId: values.user, changes, remembered: store.read(), rememberedSession: store.readSession() });
  } catch (error) {
    if (!(error instanceof SenderError)) throw error;
    io.err(error.message);
    return 2;
  }

  const { url, source } = webhookTarget(values.url, io.devServerFile);
  const { svixId, result } = await sendSignedEvent(url, secret, built.payload);
  io.out(`→ POST ${url}\n  ${type} for ${built.userId} (svix-id ${svixId})`);
  if (values.print) io.out(JSON.stringify(built.payload, null, 2));

  if (result.kind === 'unreachable') {
    io.err(`✘ ${url}: ${result.reason}. Is the app running (npm run dev)? This address is ${source}.`);
    return 1;
  }
  io.out(`← ${result.status} ${result.statusText} (${result.durationMs} ms)`);
  if (result.location) io.out(`  redirected to ${result.location} — webhooks must reach the route directly (run npm run doctor)`);
  if (result.body) io.out(`  ${result.body}`);

  const delivered = result.status >= 200 && result.status < 300;
  if (delivered && built.user) store.write(built.user);
  if (delivered && built.session) store.writeSession(type === 'session.created' ? built.session : undefined);
  if (delivered && type === 'user.deleted' && store.read()?.id === built.userId) store.forget();
  if (!delivered && routeAnswer(result.body)?.outcome === 'bad_signature') {
    io.err(
      '  The app rejected the signature: it verifies with a different secret than this tool. The app reloads .env.local by itself; a CLERK_WEBHOOK_SECRET set in the shell that started it wins over the file. Or pass --secret.',
    );
  }
  return delivered ? 0 : 1;
}

function secretCommand(io: CliIo, { write, force }: { write?: boolean; force?: boolean }): number {
  const secret = newWebhookSecret();
  if (!write) {
    io.out(secret);
    return 0;
  }
  const file = path.relative(process.cwd(), io.envLocalFile) || io.envLocalFile;
  const written = writeWebhookSecret(io.envLocalFile, secret, { replace: force });
  if (written === 'kept') {
    io.out(`CLERK_WEBHOOK_SECRET is already set in ${file}: kept it (--force replaces it; the app then verifies with the new one).`);
    return 0;
  }
  io.out(
    `${written === 'written' ? 'Wrote' : 'Replaced'} CLERK_WEBHOOK_SECRET in ${file}. A running npm run dev picks it up by itself: no restart.`,
  );
  return 0;
}
