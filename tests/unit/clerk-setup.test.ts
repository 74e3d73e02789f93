import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkClerkKeys, clerkProblemStatus, describeClerkProblem, frontendApiOf, isReachable } from '@/lib/env/clerk-setup';
import { freePort } from '../../tools/db/local-db';

const pk = (kind: 'test' | 'live', host = 'happy-cat-12.clerk.accounts.dev') => `pk_${kind}_${Buffer.from(`${host}$`).toString('base64')}`;
const SECRET = 'sk_test_c2VjcmV0S2V5VGhhdE11c3ROZXZlckxlYWs';

describe('whether Clerk can start with the configured keys', () => {
  it('takes a pk/sk pair of one instance, and reads the Frontend API host from the publishable key', () => {
    expect(checkClerkKeys({ publishableKey: pk('test'), secretKey: SECRET })).toEqual({
      ok: true,
      instance: 'development',
      frontendApi: 'happy-cat-12.clerk.accounts.dev',
      secretKey: SECRET,
    });
    expect(frontendApiOf(pk('live', 'clerk.example.com'))).toBe('clerk.example.com');
  });

  it('calls no key at all (blank counts as unset) missing, not malformed', () => {
    expect(checkClerkKeys({ publishableKey: undefined, secretKey: undefined })).toEqual({ ok: false, problem: 'missing' });
    expect(checkClerkKeys({ publishableKey: ' ', secretKey: '' })).toEqual({ ok: false, problem: 'missing' });
  });

  it('names each broken rule of keys Clerk would refuse, never the value', () => {
    const cases = [
      { keys: { publishableKey: 'pk_test_...', secretKey: 'sk_test_...' }, rule: /does not decode to a Frontend API host/ },
      { keys: { publishableKey: 'pk_test_<from the dashboard>', secretKey: SECRET }, rule: /must look like pk_test_… or pk_live_…/ },
      { keys: { publishableKey: pk('test'), secretKey: undefined }, rule: /CLERK_SECRET_KEY is not set/ },
      { keys: { publishableKey: undefined, secretKey: SECRET }, rule: /NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY is not set/ },
      { keys: { publishableKey: pk('live'), secretKey: SECRET }, rule: /pk_live_… is paired with sk_test_…/ },
      { keys: { publishableKey: pk('test'), secretKey: 'secret' }, rule: /CLERK_SECRET_KEY must look like sk_test_…/ },
    ];
    for (const { keys, rule } of cases) {
      const checked = checkClerkKeys(keys);
      expect(checked).toMatchObject({ ok: false, problem: 'malformed', rules: expect.arrayContaining([expect.stringMatching(rule)]) });
      const said = describeClerkProblem(checked as Exclude<typeof checked, { ok: true }>);
      for (const value of Object.values(keys)) if (value && value.length > 8) expect(said).not.toContain(value);
    }
  });

  it('answers a configuration problem 500 and an unreachable Clerk 503, as /api/health does', () => {
    expect(clerkProblemStatus({ problem: 'missing' })).toBe(500);
    expect(clerkProblemStatus({ problem: 'malformed', rules: [] })).toBe(500);
    expect(clerkProblemStatus({ problem: 'unreachable', frontendApi: 'clerk.example.com' })).toBe(503);
  });

  it('gives the one fix that applies: keys or `npx clerk@latest init` when missing, the network when unreachable', () => {
    expect(describeClerkProblem({ problem: 'missing' })).toMatch(/Clerk Dashboard → API keys.*npx clerk@latest init/);
    expect(describeClerkProblem({ problem: 'unreachable', frontendApi: 'clerk.example.com' })).toMatch(
      /clerk\.example\.com.* does not answer\. Fix: connect this machine to the internet/,
    );
  });
});

describe('reachability of the Frontend API, asked before a handshake redirect', () => {
  it('counts any HTTP answer as reachable and a refused connection as not, and remembers each for 30 s', async () => {
    const server = createServer((_request, response) => response.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const at = Date.now();
    expect(await isReachable(url, at)).toBe(true);
    await new Promise((resolve) => server.close(resolve));
    expect(await isReachable(url, at + 29_000)).toBe(true); // remembered
    expect(await isReachable(url, at + 31_000)).toBe(false); // asked again: nothing listens any more

    expect(await isReachable(`http://127.0.0.1:${await freePort()}/`)).toBe(false);
  });
});
