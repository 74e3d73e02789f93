import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { svixHeadersFrom, verifySignature, type SvixHeaders } from '../../src/webhooks/verify.js';
import { clerkUser, userCreatedEvent } from '../../src/testing/payloads.js';
import { newWebhookSecret, signWebhook } from '../../src/testing/svix.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const secret = newWebhookSecret();
const payload = userCreatedEvent(clerkUser());

function signed(options: Parameters<typeof signWebhook>[2] = {}) {
  return signWebhook(secret, payload, options);
}

function verify(body: string, headers: SvixHeaders, withSecret = secret) {
  return verifySignature(withSecret, body, headers);
}

beforeEach(() => {
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('signature verification', () => {
  it('accepts a delivery signed as Svix signs it, and reports its id and send time', () => {
    const delivery = signed({ timestamp: NOW });
    expect(verify(delivery.body, delivery.headers)).toEqual({ ok: true, svixId: delivery.svixId, sentAt: NOW });
  });

  for (const header of ['svix-id', 'svix-timestamp', 'svix-signature'] as const) {
    it(`rejects a delivery missing the ${header} header`, () => {
      const { body, headers } = signed();
      delete headers[header];
      expect(verify(body, headers)).toEqual({ ok: false, reason: 'missing svix-id, svix-timestamp or svix-signature header' });
    });
  }

  it('rejects a body with one byte changed', () => {
    const { body, headers } = signed();
    const at = body.indexOf('Ada');
    const tampered = `${body.slice(0, at)}Ida${body.slice(at + 3)}`;
    expect(verify(tampered, headers)).toEqual({ ok: false, reason: 'no matching signature found' });
  });

  it('rejects the same JSON re-serialised (whitespace changed): the signature covers the raw bytes', () => {
    const { body, headers } = signed();
    const reserialised = JSON.stringify(JSON.parse(body), null, 2);
    expect(JSON.parse(reserialised)).toEqual(JSON.parse(body));
    expect(verify(reserialised, headers)).toMatchObject({ ok: false });
  });

  it('rejects a delivery signed with another secret', () => {
    const { body, headers } = signWebhook(newWebhookSecret(), payload);
    expect(verify(body, headers)).toEqual({ ok: false, reason: 'no matching signature found' });
  });

  it('rejects a delivery that carries only a v2 signature, even a correct one', () => {
    const { body, headers } = signed();
    headers['svix-signature'] = headers['svix-signature']!.replace(/^v1,/, 'v2,');
    expect(verify(body, headers)).toEqual({ ok: false, reason: 'no matching signature found' });
  });

  it('rejects a signature that matches another svix-id (ids are signed too)', () => {
    const { body, headers } = signed();
    headers['svix-id'] = 'msg_someOtherDelivery';
    expect(verify(body, headers)).toMatchObject({ ok: false });
  });

  it('accepts two space-separated signatures during secret rotation when either one matches', () => {
    const { body, headers, svixId } = signed({ timestamp: NOW });
    const other = signWebhook(newWebhookSecret(), payload, { svixId, timestamp: NOW, body });
    const ours = headers['svix-signature']!;
    const theirs = other.headers['svix-signature']!;
    for (const both of [`${ours} ${theirs}`, `${theirs} ${ours}`]) {
      expect(verify(body, { ...headers, 'svix-signature': both })).toMatchObject({ ok: true });
    }
    expect(verify(body, { ...headers, 'svix-signature': `${theirs} ${theirs}` })).toMatchObject({ ok: false });
  });

  it('accepts a timestamp 299 s old, rejects 301 s old and 301 s in the future', () => {
    const at = (seconds: number) => signed({ timestamp: new Date(NOW.getTime() + seconds * 1000) });
    const old299 = at(-299);
    expect(verify(old299.body, old299.headers)).toMatchObject({ ok: true });
    const old301 = at(-301);
    expect(verify(old301.body, old301.headers)).toEqual({ ok: false, reason: 'message timestamp too old' });
    const future301 = at(301);
    expect(verify(future301.body, future301.headers)).toEqual({ ok: false, reason: 'message timestamp too new' });
  });

  it('rejects a timestamp that is not a number', () => {
    const { body, headers } = signed();
    expect(verify(body, { ...headers, 'svix-timestamp': 'yesterday' })).toEqual({ ok: false, reason: 'invalid signature headers' });
  });
});

describe('svix headers from a fetch Headers', () => {
  it('picks exactly the three svix headers, case-insensitively, into a plain object', () => {
    const headers = new Headers({ 'SVIX-ID': 'msg_1', 'svix-timestamp': '1', 'Svix-Signature': 'v1,x', cookie: 'session=secret' });
    expect(svixHeadersFrom(headers)).toEqual({ 'svix-id': 'msg_1', 'svix-timestamp': '1', 'svix-signature': 'v1,x' });
    expect(svixHeadersFrom(new Headers())).toEqual({});
  });
});
