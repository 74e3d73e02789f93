/**
 * Who may see an organization's assessment results on /team. Pure: the
 * caller reads both sources on the server, never from the browser.
 */

/** Clerk's default admin role key: its admins see every member's results. */
export const ORG_ADMIN_ROLE = 'org:admin';

export type TeamResultsAccess = 'all' | 'own';

export type TeamResultsAuthority = {
  /** The session's claims: `auth().has({ role: 'org:admin' })` for the active organization. */
  sessionSaysAdmin: boolean;
  /** The role of the viewer's active membership in our database (webhooks, or synced just in time). */
  membershipRole: string;
};

/**
 * Every member's results only when both say admin. The token may be up to a
 * minute older than a demotion Clerk already sent us, and our copy may lag a
 * demotion the token already carries: the stricter of the two decides, so a
 * demoted admin loses the team's results as soon as either side knows.
 */
export function teamResultsAccess({ sessionSaysAdmin, membershipRole }: TeamResultsAuthority): TeamResultsAccess {
  return sessionSaysAdmin && membershipRole === ORG_ADMIN_ROLE ? 'all' : 'own';
}
