/**
 * The secrets Clerk would hold for this test run: the webhook signing secret
 * and the RSA key pair session tokens are signed with. Generated once per run
 * in Playwright's main process (while it loads the config) and kept in its
 * environment, which the web server and the test workers inherit, so all
 * three agree without writing a secret to disk.
 */
import { generateKeyPairSync } from 'node:crypto';
import { newWebhookSecret } from 'clerk-mongo-sync/testing';

export type RunSecrets = {
  webhookSecret: string;
  /** SPKI PEM: what Clerk's dashboard shows as the JWT public key (CLERK_JWT_KEY). */
  jwtPublicKey: string;
  /** PKCS#8 PEM: Clerk's private half, used by the tests to sign session tokens. */
  jwtPrivateKey: string;
};

const NAMES = {
  webhookSecret: 'E2E_WEBHOOK_SECRET',
  jwtPublicKey: 'E2E_JWT_PUBLIC_KEY',
  jwtPrivateKey: 'E2E_JWT_PRIVATE_KEY',
} as const satisfies Record<keyof RunSecrets, string>;

/** Creates the run's secrets unless this process (or its parent) already did. */
export function ensureRunSecrets(): void {
  if (process.env[NAMES.webhookSecret]) return;
  // 2048-bit with e=65537: Clerk's instance keys, and the only shape its PEM loader (jwtKey) accepts.
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  process.env[NAMES.jwtPublicKey] = publicKey;
  process.env[NAMES.jwtPrivateKey] = privateKey;
  process.env[NAMES.webhookSecret] = newWebhookSecret();
}

export function runSecrets(): RunSecrets {
  const read = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: run the e2e suite through tests/playwright.config.ts (npm run test:e2e).`);
    return value;
  };
  return {
    webhookSecret: read(NAMES.webhookSecret),
    jwtPublicKey: read(NAMES.jwtPublicKey),
    jwtPrivateKey: read(NAMES.jwtPrivateKey),
  };
}
