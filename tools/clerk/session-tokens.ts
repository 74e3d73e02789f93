/**
 * Session tokens as Clerk's frontend holds them for a development instance,
 * signed with this run's instance key (run-secrets.ts): what clerkMiddleware
 * verifies offline with CLERK_JWT_KEY. RS256 with `sub`, `exp`, `nbf`, `iat`
 * and an `iss` that is the publishable key's Frontend API (otherwise the SDK
 * looks for suffixed cookies instead); `sid`, `azp`, `v`, `fva` and `sts` are
 * there because Clerk's tokens carry them: `sts: "active"` keeps the session
 * from counting as pending (signed out).
 */
import { importPKCS8, SignJWT } from 'jose';
import { TEST_CLERK_KEYS } from '../harness/next-server';
import { clerkId } from 'clerk-mongo-sync/testing';
import { runSecrets } from './run-secrets';

/** The Frontend API host a publishable key encodes: `pk_test_` + base64("<host>$"). */
export const FRONTEND_API_HOST = Buffer.from(TEST_CLERK_KEYS.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY.replace(/^pk_(test|live)_/, ''), 'base64')
  .toString('utf8')
  .replace(/\$$/, '');

/** Clerk's JWT category header for session tokens. */
const SESSION_TOKEN_CATEGORY = 'cl_B7d4PD111AAA';
/** The key id session tokens name, as the instance's JWKS lists it. */
export const INSTANCE_KEY_ID = 'ins_2abcTestInstance0000000000';
/** Clerk's own tokens live 60 s and are refreshed by its frontend script, which cannot load here; so ours last the test. */
const TOKEN_LIFETIME_S = 15 * 60;

export type SessionOptions = {
  userId: string;
  sessionId?: string;
  /** The app's origin: where the cookies are set. */
  origin: string;
  /** The token's `azp`: the origin Clerk's frontend minted it on; the app's own unless a test says otherwise. */
  authorizedParty?: string;
};

export async function mintSessionToken({
  userId,
  sessionId = clerkId('sess'),
  origin,
  authorizedParty = origin,
}: SessionOptions): Promise<string> {
  const key = await importPKCS8(runSecrets().jwtPrivateKey, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ azp: authorizedParty, sid: sessionId, v: 2, fva: [0, -1], sts: 'active' })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: INSTANCE_KEY_ID, cat: SESSION_TOKEN_CATEGORY })
    .setSubject(userId)
    .setIssuer(`https://${FRONTEND_API_HOST}`)
    .setIssuedAt(now)
    .setNotBefore(now - 10)
    .setExpirationTime(now + TOKEN_LIFETIME_S)
    .setJti(clerkId('sess').replace('sess_', ''))
    .sign(key);
}
