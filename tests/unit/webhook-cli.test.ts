/**
 * `npm run webhook` against a capturing HTTP server: every request it sends
 * must pass the app's own verifier and parse as the event type asked for.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseClerkEvent } from '@/lib/webhooks/events';
import { verifySignature, type SvixHeaders } from '@/lib/webhooks/verify';
import { runWebhookCli, type CliIo } from '../../tools/webhook/cli';
import { recordDevServer } from '../../tools/lib/dev-server';
import { SENDABLE_EVENT_TYPES } from '../../tools/webhook/sender';
import { newWebhookSecret } from '../../tools/clerk/svix';

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

function io(overrides: Partial<CliIo> = {}): CliIo {
  return {
    env: { CLERK_WEBHOOK_SECRET: secret },
    lastUserFile: path.join(dir, 'last-user.json'),
    devServerFile: path.join(dir, 'dev-server.json'),
    envLocalFile: path.join(dir, '.env.local'),
    out: (line) => output.push(line),
    err: (line) => output.push(line),
    ...overrides,
  };
}

function run(...args: string[]) {
  return runWebhookCli(args, io());
}

function lastEvent() {
  const delivery = captured.at(-1)!;
  return { delivery, payload: JSON.parse(delivery.body) as { type: string; data: Record<string, unknown> } };
}

describe('npm run webhook -- send', () => {
  it.each(SENDABLE_EVENT_TYPES)('signs %s so the app’s verifier accepts it and the app’s schema parses it', async (type) => {
    expect(await run('send', type, '--user', 'user_2cliTest000000000000000000', '--url', url)).toBe(0);
    const { delivery, payload } = lastEvent();
    expect(verifySignature(secret, delivery.body, delivery.headers)).toMatchObject({ ok: true, svixId: delivery.headers['svix-id'] });
    expect(parseClerkEvent(payload)).toMatchObject({ kind: 'event', event: { type } });
  });

  it('produces signatures the app rejects under any other secret', async () => {
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
    const bad = await runWebhookCli(['send', 'user.created', '--url', url], io({ env: { CLERK_WEBHOOK_SECRET: 'whsec_tooshort' } }));
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

  it('sends to the port npm run dev recorded when no --url is given', async () => {
    recordDevServer({ port: Number(new URL(url).port), pid: process.pid }, path.join(dir, 'dev-server.json'));
    expect(await run('send', 'user.created')).toBe(0);
    expect(captured).toHaveLength(1);
    expect(output[0]).toContain(`→ POST http://localhost:${new URL(url).port}/api/webhooks/clerk`);
  });

  it('says which address it tried and where that came from when nothing answers there', async () => {
    recordDevServer({ port: 1, pid: process.pid }, path.join(dir, 'dev-server.json'));
    expect(await run('send', 'user.created')).toBe(1);
    expect(output.join('\n')).toMatch(/✘ http:\/\/localhost:1\/api\/webhooks\/clerk: .*This address is where npm run dev listens/);
  });
});

describe('npm run webhook -- secret --write', () => {
  const envFile = () => path.join(dir, '.env.local');

  it('puts a fresh secret under the example’s commented-out placeholder, which the app’s rule accepts', async () => {
    writeFileSync(envFile(), '# Webhook\n# CLERK_WEBHOOK_SECRET=whsec_<base64 of at least 24 bytes>\nMONGODB_DB=app\n');
    expect(await run('secret', '--write')).toBe(0);
    const lines = readFileSync(envFile(), 'utf8').split('\n');
    expect(lines[1]).toBe('# CLERK_WEBHOOK_SECRET=whsec_<base64 of at least 24 bytes>');
    expect(lines[2]).toMatch(/^CLERK_WEBHOOK_SECRET=whsec_[A-Za-z0-9+/]+=*$/);
    expect(lines[3]).toBe('MONGODB_DB=app');
    expect(output.at(-1)).toMatch(/picks it up by itself: no restart/);
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
