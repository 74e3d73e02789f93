import { describe, expect, it } from 'vitest';
import { teamResultsAccess } from '@/lib/teams/access';

describe("who sees an organization's results", () => {
  it("an admin by the session's claims and by the synced membership sees everyone's", () => {
    expect(teamResultsAccess({ sessionSaysAdmin: true, membershipRole: 'org:admin' })).toBe('all');
  });

  it('a member by both sees only their own', () => {
    expect(teamResultsAccess({ sessionSaysAdmin: false, membershipRole: 'org:member' })).toBe('own');
  });

  it('a session that still claims admin after the synced membership was demoted sees only their own', () => {
    expect(teamResultsAccess({ sessionSaysAdmin: true, membershipRole: 'org:member' })).toBe('own');
  });

  it('a synced admin membership whose session does not claim admin (a token from before the promotion) sees only their own', () => {
    expect(teamResultsAccess({ sessionSaysAdmin: false, membershipRole: 'org:admin' })).toBe('own');
  });

  it('a custom role that merely contains "admin" is not the admin role', () => {
    expect(teamResultsAccess({ sessionSaysAdmin: true, membershipRole: 'org:billing_admin' })).toBe('own');
  });
});
