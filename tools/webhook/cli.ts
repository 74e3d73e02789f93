/**
 * `npm run webhook -- send <type> [options]`: one signed Clerk event to a
 * running app, no tunnel and no Clerk account needed.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { isWellFormedWebhookSecret } from '../../lib/env/schema';
import { newWebhookSecret } from '../clerk/svix';
import { routeAnswer } from '../lib/http';
import { webhookSecretOf } from '../../lib/env/schema';
import { DEFAULT_WEBHOOK_URL, ROOT, type EnvSource } from '../lib/local-env';
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

const USAGE = `Usage:
  npm run webhook -- send <type> [options]   sign a realistic Clerk event and POST it to the app
  npm run webhook -- secret                  print a fresh whsec_ secret for CLERK_WEBHOOK_SECRET

Types: ${SENDABLE_EVENT_TYPES.join(', ')}

Options:
  --user <id>          the Clerk user id (default: a new id for user.created, else the last user created;
                       session.ended/removed/revoked end that user's last session.created)
  --url <endpoint>     default ${DEFAULT_WEBHOOK_URL}
  --secret <whsec_…>   default CLERK_WEBHOOK_SECRET (or CLERK_WEBHOOK_SIGNING_SECRET) from .env.local
  --first-name, --last-name, --username, --email, --phone <value>
  --role <role>        sets public_metadata.role (e.g. admin)
  --print              also print the payload sent`;

export type CliIo = { env: EnvSource; lastUserFile: string; out: (line: string) => void; err: (line: string) => void };

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
  if (command === 'secret') {
    io.out(newWebhookSecret());
    return 0;
  }
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
      'No webhook secret: set CLERK_WEBHOOK_SECRET in .env.local (the one the app uses), or pass --secret. `npm run webhook -- secret` makes one.',
    );
    return 2;
  }
  if (!isWellFormedWebhookSecret(secret)) {
    io.err('The webhook secret is malformed: it must be "whsec_" followed by base64, as Clerk Dashboard → Webhooks shows it.');
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

  const url = values.url ?? DEFAULT_WEBHOOK_URL;
  const { svixId, result } = await sendSignedEvent(url, secret, built.payload);
  io.out(`→ POST ${url}\n  ${type} for ${built.userId} (svix-id ${svixId})`);
  if (values.print) io.out(JSON.stringify(built.payload, null, 2));

  if (result.kind === 'unreachable') {
    io.err(`✘ ${url}: ${result.reason}. Is the app running (npm run dev)? Pass --url for another address.`);
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
      '  The app rejected the signature: it uses a different secret than this tool. Restart the app after changing .env.local, or pass --secret.',
    );
  }
  return delivered ? 0 : 1;
}
