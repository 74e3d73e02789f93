/**
 * `send` and `secret` against a capturing HTTP server: every request `send`
 * makes must pass the engine's own verifier and parse as the event type asked for.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import type { CliOptions } from '../../src/cli/context.js';
import { SENDABLE_EVENT_TYPES } from '../../src/cli/webhook/sender.js';
import { newWebhookSecret } from '../../src/testing/svix.js';
import { parseClerkEvent } from '../../src/webhooks/events.js';
import { verifySignature, type SvixHeaders } from '../../src/webhooks/verify.js';

type Captured = { body: string; headers: SvixHeaders };

const secret = newWebhookSecret();
let server: Server;
let url: string;
let captured: Captured[] = [];
let dir: string;
let output: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = request.headers as Record<string, string>;
      captured.push({ body: Buffer.concat(chunks).toString('utf8'), headers });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"outcome":"applied","message":"applied"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/clerk`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  captured = [];
  output = [];
  dir = mkdtempSync(path.join(tmpdir(), 'webhook-cli-'));
  return () => rmSync(dir, { recursive: true, force: true });
});

function io(overrides: CliOptions = {}): CliOptions {
  return {
    cwd: dir,
    env: { CLERK_WEBHOOK_SECRET: secret },
    out: (line) => output.push(line),
    err: (line) => output.push(line),
    ...overrides,
  };
}

function run(...args: string[]) {
  return runCli(args, io());
}

function lastEvent() {
  const delivery = captured.at(-1)!;
  return { delivery, payload: JSON.parse(delivery.body) as { type: string; data: Record<string, unknown> } };
}

describe('clerk-mongo-sync send', () => {
  it.each(SENDABLE_EVENT_TYPES)('signs %s so the engine’s verifier accepts it and its schema parses it', async (type) => {
    expect(await run('send', type, '--user', 'user_2cliTest000000000000000000', '--url', url)).toBe(0);
    const { delivery, payload } = lastEvent();
    expect(verifySignature(secret, delivery.body, delivery.headers)).toMatchObject({ ok: true, svixId: delivery.headers['svix-id'] });
    expect(parseClerkEvent(payload)).toMatchObject({ kind: 'event', event: { type } });
  });

  it('produces signatures the engine rejects under any other secret', async () => {
    await run('send', 'user.created', '--url', url);
    const { delivery } = lastEvent();
    expect(verifySignature(newWebhookSecret(), delivery.body, delivery.headers)).toMatchObject({ ok: false });
  });

  it('updates the user it created last when no --user is given, keeping the rest of the profile', async () => {
    await run('send', 'user.created', '--email', 'grace@example.com', '--url', url);
    const created = lastEvent().payload.data;
    expect(await run('send', 'user.updated', '--first-name', 'Grace', '--role', 'admin', '--url', url)).toBe(0);
    const updated = lastEvent().payload.data;
    expect(updated.id).toBe(created.id);
    expect(updated.first_name).toBe('Grace');
    expect(updated.public_metadata).toEqual({ role: 'admin' });
    expect(updated.email_addresses).toEqual(created.email_addresses);
    expect(updated.updated_at as number).toBeGreaterThan(created.updated_at as number);
  });

  it('ends the session it started last, so session.created then session.ended leaves the user offline', async () => {
    await run('send', 'user.created', '--url', url);
    await run('send', 'session.created', '--url', url);
    const started = lastEvent().payload.data;
    expect(await run('send', 'session.ended', '--url', url)).toBe(0);
    const ended = lastEvent().payload.data;
    expect(ended).toMatchObject({ id: started.id, user_id: started.user_id, status: 'ended', created_at: started.created_at });
    expect(ended.updated_at as number).toBeGreaterThanOrEqual(started.updated_at as number);
    await run('send', 'session.revoked', '--url', url);
    expect(lastEvent().payload.data.id).not.toBe(started.id); // ended already: nothing left to revoke but a new one
  });

  it('forgets a deleted user, so a later update needs --user', async () => {
    await run('send', 'user.created', '--url', url);
    const { id } = lastEvent().payload.data;
    await run('send', 'session.created', '--url', url);
    expect(lastEvent().payload.data.user_id).toBe(id);
    await run('send', 'user.deleted', '--url', url);
    expect(lastEvent().payload.data).toMatchObject({ id, deleted: true });
    expect(await run('send', 'user.updated', '--url', url)).toBe(2);
    expect(output.at(-1)).toMatch(/pass --user/);
  });

  it('refuses a malformed secret and unknown event types without sending anything', async () => {
    const bad = await runCli(['send', 'user.created', '--url', url], io({ env: { CLERK_WEBHOOK_SECRET: 'whsec_tooshort' } }));
    expect(bad).toBe(2);
    expect(output.at(-1)).toMatch(/malformed: CLERK_WEBHOOK_SECRET must be "whsec_" followed by base64 of at least 24 bytes/);
    expect(output.join('\n')).not.toContain('whsec_tooshort');
    expect(await run('send', 'user.exploded', '--url', url)).toBe(2);
    expect(captured).toHaveLength(0);
  });

  it('exits 1 and says so when nothing listens at the URL', async () => {
    expect(await run('send', 'user.created', '--url', 'http://127.0.0.1:1/api/webhooks/clerk')).toBe(1);
    expect(output.join('\n')).toMatch(/Is the app running/);
  });

  it('sends to the endpoint a wrapping script names when no --url is given (an app’s dev server)', async () => {
    const endpoint = { url, source: 'where the dev server listens' };
    expect(await runCli(['send', 'user.created'], io({ endpoint }))).toBe(0);
    expect(captured).toHaveLength(1);
    expect(output[0]).toContain(`→ POST ${url}`);
  });

  it('says which address it tried and where that came from when nothing answers there', async () => {
    const endpoint = { url: 'http://localhost:1/api/webhooks/clerk', source: 'where the dev server listens' };
    expect(await runCli(['send', 'user.created'], io({ endpoint, startApp: 'npm run dev' }))).toBe(1);
    expect(output.join('\n')).toMatch(
      /✘ http:\/\/localhost:1\/api\/webhooks\/clerk: .*Is the app running \(npm run dev\)\? This address is where the dev server listens/,
    );
  });

  it('remembers the last user and session where it is told, else under node_modules/.cache', async () => {
    const stateFile = path.join(dir, 'state', 'last.json');
    expect(await runCli(['send', 'user.created', '--url', url], io({ stateFile }))).toBe(0);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ user: { id: lastEvent().payload.data.id } });
    expect(await run('send', 'user.created', '--url', url)).toBe(0);
    const remembered = JSON.parse(readFileSync(path.join(dir, 'node_modules', '.cache', 'clerk-mongo-sync', 'send.json'), 'utf8'));
    expect(remembered).toMatchObject({ user: { id: lastEvent().payload.data.id } });
  });
});

describe('clerk-mongo-sync secret --write', () => {
  const envFile = () => path.join(dir, '.env.local');

  it('puts a fresh secret under the example’s commented-out placeholder, which the app’s rule accepts', async () => {
    writeFileSync(envFile(), '# Webhook\n# CLERK_WEBHOOK_SECRET=whsec_<base64 of at least 24 bytes>\nMONGODB_DB=app\n');
    expect(await run('secret', '--write')).toBe(0);
    const lines = readFileSync(envFile(), 'utf8').split('\n');
    expect(lines[1]).toBe('# CLERK_WEBHOOK_SECRET=whsec_<base64 of at least 24 bytes>');
    expect(lines[2]).toMatch(/^CLERK_WEBHOOK_SECRET=whsec_[A-Za-z0-9+/]+=*$/);
    expect(lines[3]).toBe('MONGODB_DB=app');
    expect(output.at(-1)).toMatch(/next dev picks it up by itself, no restart/);
  });

  it('creates .env.local when there is none', async () => {
    expect(await run('secret', '--write')).toBe(0);
    expect(readFileSync(envFile(), 'utf8')).toMatch(/^CLERK_WEBHOOK_SECRET=whsec_\S+\n$/);
  });

  it('keeps a secret already set there (it may be the endpoint’s real one) unless --force', async () => {
    writeFileSync(envFile(), `CLERK_WEBHOOK_SECRET=${secret}\n`);
    expect(await run('secret', '--write')).toBe(0);
    expect(readFileSync(envFile(), 'utf8')).toBe(`CLERK_WEBHOOK_SECRET=${secret}\n`);
    expect(output.at(-1)).toMatch(/already set .*kept it/);
    expect(await run('secret', '--write', '--force')).toBe(0);
    const replaced = readFileSync(envFile(), 'utf8');
    expect(replaced).toMatch(/^CLERK_WEBHOOK_SECRET=whsec_\S+\n$/);
    expect(replaced).not.toContain(secret);
  });
});
