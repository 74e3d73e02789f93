/**
 * `clerk-mongo-sync send <type> [options]`: one signed Clerk event to a
 * running app, no tunnel and no Clerk account needed; `secret [--write]`: a
 * fresh signing secret.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { newWebhookSecret } from '../../testing/svix.js';
import { webhookSecretOf } from '../../webhooks/secret.js';
import type { Cli } from '../context.js';
import { routeAnswer } from '../http.js';
import { checkSetting, describeProblem } from '../settings.js';
import { writeWebhookSecret } from './env-file.js';
import {
  buildEvent,
  isSendableEventType,
  lastUserStore,
  sendSignedEvent,
  SENDABLE_EVENT_TYPES,
  SenderError,
  type ProfileChanges,
} from './sender.js';

function usage(cli: Cli): string {
  const file = path.relative(cli.cwd, cli.envFile) || cli.envFile;
  return `Usage:
  ${cli.invokedAs('send')} <type> [options]   sign a realistic Clerk event and POST it to the app
  ${cli.invokedAs('secret')}                  print a fresh whsec_ secret for CLERK_WEBHOOK_SECRET
  ${cli.invokedAs('secret')} --write          put one into ${file} (kept if one is set there; --force replaces it)

Types: ${SENDABLE_EVENT_TYPES.join(', ')}

Options:
  --user <id>          the Clerk user id (default: a new id for user.created, else the last user created;
                       session.ended/removed/revoked end that user's last session.created)
  --url <endpoint>     default ${cli.endpoint.url} (${cli.endpoint.source})
  --secret <whsec_…>   default CLERK_WEBHOOK_SECRET (or CLERK_WEBHOOK_SIGNING_SECRET) from the environment or .env.local
  --first-name, --last-name, --username, --email, --phone <value>
  --role <role>        sets public_metadata.role (e.g. admin)
  --print              also print the payload sent`;
}

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

/**
 * Runs `send` or `secret` with the arguments after it; returns the process
 * exit code (0 = delivered with a 2xx, 1 = not, 2 = usage error).
 */
export async function runWebhookCli(command: 'send' | 'secret', argv: string[], io: Cli): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${usage(io)}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [type] = positionals;

  if (values.help) {
    io.out(usage(io));
    return 0;
  }
  if (command === 'secret' && positionals.length === 0) return secretCommand(io, values);
  if (command === 'secret' || !type || positionals.length > 1) {
    io.err(usage(io));
    return 2;
  }
  if (!isSendableEventType(type)) {
    io.err(`unknown event type "${type}"; one of: ${SENDABLE_EVENT_TYPES.join(', ')}`);
    return 2;
  }

  const secret = values.secret ?? webhookSecretOf(io.env);
  if (!secret) {
    io.err(
      `No webhook secret: set CLERK_WEBHOOK_SECRET in .env.local (the one the app uses), or pass --secret. \`${io.invokedAs('secret')} --write\` puts one there.`,
    );
    return 2;
  }
  const checked = checkSetting({ CLERK_WEBHOOK_SECRET: secret }, 'CLERK_WEBHOOK_SECRET');
  if (!checked.ok) {
    io.err(`The webhook secret is malformed: ${checked.problems.map(describeProblem).join('; ')}.`);
    return 2;
  }

  const store = lastUserStore(io.stateFile);
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

  const { url, source } = values.url ? { url: values.url, source: 'from --url' } : io.endpoint;
  const { svixId, result } = await sendSignedEvent(url, secret, built.payload);
  io.out(`→ POST ${url}\n  ${type} for ${built.userId} (svix-id ${svixId})`);
  if (values.print) io.out(JSON.stringify(built.payload, null, 2));

  if (result.kind === 'unreachable') {
    io.err(`✘ ${url}: ${result.reason}. Is the app running (${io.startApp})? This address is ${source}.`);
    return 1;
  }
  io.out(`← ${result.status} ${result.statusText} (${result.durationMs} ms)`);
  if (result.location)
    io.out(`  redirected to ${result.location} — webhooks must reach the route directly (run ${io.invokedAs('doctor')})`);
  if (result.body) io.out(`  ${result.body}`);

  const delivered = result.status >= 200 && result.status < 300;
  if (delivered && built.user) store.write(built.user);
  if (delivered && built.session) store.writeSession(type === 'session.created' ? built.session : undefined);
  if (delivered && type === 'user.deleted' && store.read()?.id === built.userId) store.forget();
  if (!delivered && routeAnswer(result.body)?.outcome === 'bad_signature') {
    io.err(
      '  The app rejected the signature: it verifies with a different secret than this tool. An app that reads .env.local picks up a change there (next dev by itself, others on restart); a CLERK_WEBHOOK_SECRET set in the shell that started it wins over the file. Or pass --secret.',
    );
  }
  return delivered ? 0 : 1;
}

function secretCommand(io: Cli, { write, force }: { write?: boolean; force?: boolean }): number {
  const secret = newWebhookSecret();
  if (!write) {
    io.out(secret);
    return 0;
  }
  const file = path.relative(io.cwd, io.envFile) || io.envFile;
  const written = writeWebhookSecret(io.envFile, secret, { replace: force });
  if (written === 'kept') {
    io.out(`CLERK_WEBHOOK_SECRET is already set in ${file}: kept it (--force replaces it; the app then verifies with the new one).`);
    return 0;
  }
  io.out(
    `${written === 'written' ? 'Wrote' : 'Replaced'} CLERK_WEBHOOK_SECRET in ${file}. A running next dev picks it up by itself, no restart; other servers read it when they start.`,
  );
  return 0;
}
