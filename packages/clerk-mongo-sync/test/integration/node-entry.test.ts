/**
 * The node entry, as the usual Clerk guides' Express apps and plain Node
 * servers would mount it: it reads the exact bytes Svix signed whichever way
 * they arrive (the stream, express.raw, express.text), refuses to guess when
 * express.json() already parsed them, answers 405 to other methods, and 413 to
 * an oversized body without reading it into memory.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BODY_ALREADY_PARSED, nodeWebhookHandler } from '../../src/node.js';
import { clerkUser, userCreatedEvent } from '../../src/testing/payloads.js';
import { postWebhook, signWebhook } from '../../src/testing/svix.js';
import { MAX_BODY_BYTES } from '../../src/webhooks/receive.js';
import { clerkSync } from '../support/engine.js';

const PATH = '/api/webhooks/clerk';
const servers: Server[] = [];

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`;
}

const signed = (user = clerkUser()) => ({ user, delivery: signWebhook(process.env.CLERK_WEBHOOK_SECRET!, userCreatedEvent(user)) });

let plainUrl: string;

beforeAll(async () => {
  const handler = nodeWebhookHandler(clerkSync);
  plainUrl = await listen((request, response) => void handler(request, response));
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('on Node’s http', () => {
  it('applies a signed delivery from the stream, and refuses a bad signature (400) writing nothing', async () => {
    const { user, delivery } = signed();
    const answer = await postWebhook(plainUrl, delivery);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ outcome: 'applied', message: 'applied' });
    expect(await clerkSync.users.find(user.id)).toMatchObject({ clerkId: user.id });

    const forged = signWebhook('whsec_' + Buffer.alloc(32, 7).toString('base64'), userCreatedEvent(clerkUser()));
    const refused = await postWebhook(plainUrl, forged);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ outcome: 'bad_signature' });
  });

  it('answers other methods 405 with Allow: POST', async () => {
    const answer = await fetch(plainUrl);
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
  });

  it('answers a body over 1 MiB 413, declared or streamed, and the sender gets the answer', async () => {
    const big = 'x'.repeat(MAX_BODY_BYTES + 1);
    const headers = signed().delivery.headers;
    const declared = await fetch(plainUrl, { method: 'POST', headers, body: big });
    expect(declared.status).toBe(413);
    const chunks = [new TextEncoder().encode(big.slice(0, MAX_BODY_BYTES / 2)), new TextEncoder().encode(big.slice(MAX_BODY_BYTES / 2))];
    const streamed = await fetch(plainUrl, {
      method: 'POST',
      headers,
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
  });
});

describe('on Express', () => {
  it('works mounted before express.json(), with express.raw() or express.text() on its route', async () => {
    const handler = nodeWebhookHandler(clerkSync);
    const app = express();
    app.post(PATH, handler);
    app.post('/raw', express.raw({ type: 'application/json' }), handler);
    app.post('/text', express.text({ type: 'application/json' }), handler);
    app.use(express.json());
    const url = await listen(app);
    for (const path of [PATH, '/raw', '/text']) {
      const { user, delivery } = signed(clerkUser({ firstName: 'Ünïcode' }));
      const answer = await postWebhook(url.replace(PATH, path), delivery);
      expect(answer.status, path).toBe(200);
      expect(await clerkSync.users.find(user.id)).toMatchObject({ firstName: 'Ünïcode' });
    }
  });

  it('says what to do when express.json() parsed the body first (the signature is over the exact bytes), and writes nothing', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = express();
    app.use(express.json());
    app.post(PATH, nodeWebhookHandler(clerkSync));
    const url = await listen(app);
    const { user, delivery } = signed();
    const answer = await postWebhook(url, delivery);
    expect(answer.status).toBe(500);
    expect(await answer.json()).toEqual({ outcome: 'internal_error', message: BODY_ALREADY_PARSED });
    expect(BODY_ALREADY_PARSED).toMatch(/mount the handler before express\.json\(\)/);
    expect(await clerkSync.users.find(user.id)).toBeNull();
  });
});
