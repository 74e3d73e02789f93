/**
 * Session tokens as Clerk's frontend holds them for a development instance,
 * signed with this run's instance key (run-secrets.ts): what clerkMiddleware
 * verifies offline with CLERK_JWT_KEY. RS256 with `sub`, `exp`, `nbf`, `iat`
 * and an `iss` that is the publishable key's Frontend API (otherwise the SDK
 * looks for suffixed cookies instead); `sid`, `azp`, `v`, `fva` and `sts` are
 * there because Clerk's tokens carry them: `sts: "active"` keeps the session
 * from counting as pending (signed out).
 *
 * An active organization is the version-2 token's `o` claim, as
 * @clerk/shared's `__experimental_JWTPayloadToAuthObjectProperties` (what
 * @clerk/backend's `authenticateRequest` and so `auth()` use) reads it when
 * `v` is 2: `o.id` → `orgId`, `o.slg` → `orgSlug`, `o.rol` (without the
 * `org:` prefix) → `orgRole: "org:<rol>"`, and the custom permissions packed
 * as Clerk packs them: `o.per` lists permission names, `o.fpm` holds per
 * feature (the `o:`-scoped entries of the top-level `fea` claim, in order) a
 * decimal bitmask over `per`. Version-1 claims (`org_id`, `org_role`…) are
 * read only when `v` is not 2, so they are not minted.
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
  /** The session's active organization; none (the personal account) unless given. */
  organization?: SessionOrganization;
};

export type SessionOrganization = {
  id: string;
  slug: string;
  /** Clerk's role key, e.g. `org:admin` or `org:member` (the claim carries it without the prefix). */
  role: string;
  /** Custom permissions, `org:<feature>:<permission>`; Clerk's system permissions are not in session tokens. */
  permissions?: readonly string[];
};

type OrganizationClaims = { fea?: string; o: { id: string; slg: string; rol: string; per?: string; fpm?: string } };

/** The `o` claim (and `fea`, which names the features `o.fpm` maps) for an active organization. */
export function organizationClaims({ id, slug, role, permissions = [] }: SessionOrganization): OrganizationClaims {
  const o = { id, slg: slug, rol: role.replace(/^org:/, '') };
  if (permissions.length === 0) return { o };
  const parsed = permissions.map((permission) => {
    const [, feature, name] = /^org:([^:]+):([^:]+)$/.exec(permission) ?? [];
    if (!feature || !name) throw new Error(`not an organization permission (org:<feature>:<permission>): ${permission}`);
    return { feature, name };
  });
  const features = [...new Set(parsed.map(({ feature }) => feature))];
  const names = [...new Set(parsed.map(({ name }) => name))];
  // Bit i of a feature's mask (least significant first) grants names[i] within that feature.
  const masks = features.map((feature) =>
    parsed
      .filter((permission) => permission.feature === feature)
      .reduce((mask, { name }) => mask | (1n << BigInt(names.indexOf(name))), 0n)
      .toString(),
  );
  return {
    fea: features.map((feature) => `o:${feature}`).join(','),
    o: { ...o, per: names.join(','), fpm: masks.join(',') },
  };
}

export async function mintSessionToken({
  userId,
  sessionId = clerkId('sess'),
  origin,
  authorizedParty = origin,
  organization,
}: SessionOptions): Promise<string> {
  const key = await importPKCS8(runSecrets().jwtPrivateKey, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    azp: authorizedParty,
    sid: sessionId,
    v: 2,
    fva: [0, -1],
    sts: 'active',
    ...(organization && organizationClaims(organization)),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: INSTANCE_KEY_ID, cat: SESSION_TOKEN_CATEGORY })
    .setSubject(userId)
    .setIssuer(`https://${FRONTEND_API_HOST}`)
    .setIssuedAt(now)
    .setNotBefore(now - 10)
    .setExpirationTime(now + TOKEN_LIFETIME_S)
    .setJti(clerkId('sess').replace('sess_', ''))
    .sign(key);
}
