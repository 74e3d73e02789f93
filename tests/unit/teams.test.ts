import { describe, expect, it } from 'vitest';
import { teamResultsAccess } from '@/lib/teams/access';
import { byRoleThenName, memberName, roleLabel } from '@/lib/teams/members';

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

describe('how /team names and orders members', () => {
  const member = (clerkUserId: string, name: string, role: string) => ({ clerkUserId, name, role });

  it('lists admins first, then everyone by name regardless of case, then by id', () => {
    const members = [
      member('user_4', 'bob', 'org:member'),
      member('user_3', 'Zoe', 'org:admin'),
      member('user_2', 'Alice', 'org:member'),
      member('user_1', 'Alice', 'org:member'),
      member('user_5', 'Carol', 'org:admin'),
    ];
    expect(members.sort(byRoleThenName).map(({ clerkUserId }) => clerkUserId)).toEqual(['user_5', 'user_3', 'user_1', 'user_2', 'user_4']);
  });

  it('names a member from the profile, the username when there is no name, the fallback when we have no profile yet', () => {
    expect(memberName({ firstName: 'Ada', lastName: 'Lovelace', username: 'ada' }, '?')).toBe('Ada Lovelace');
    expect(memberName({ firstName: null, lastName: null, username: 'ada' }, '?')).toBe('ada');
    expect(memberName(null, 'Profile not synced yet')).toBe('Profile not synced yet');
  });

  it("shows Clerk's role name, or the role key without its prefix", () => {
    expect(roleLabel({ role: 'org:admin', roleName: 'Admin' })).toBe('Admin');
    expect(roleLabel({ role: 'org:member', roleName: '' })).toBe('member');
  });
});
