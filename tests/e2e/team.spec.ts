/**
 * Organizations in a browser: a user signed in with an active organization
 * in the session token (its `o` claim) sees /team list the members our
 * database holds, with role and presence, whether the organization came by
 * webhook or just in time from Clerk's Backend API (its local double);
 * results taken for the organization are the team's, and only an admin by
 * both the session and the synced membership sees everyone's.
 */
import type { BrowserContext, Page } from '@playwright/test';
import {
  clerkUser,
  membershipCreatedEvent,
  membershipPayload,
  organizationCreatedEvent,
  organizationPayload,
  userCreatedEvent,
  type ClerkOrganizationJsonFixture,
  type ClerkUserJsonFixture,
} from 'clerk-mongo-sync/testing';
import { deliverWebhook, registerInClerk, registerMembershipInClerk, signInAs } from './support/clerk';
import { storedAssessments, storedMembership, storedOrganization, storedUser } from './support/database';
import { test, expect } from './support/test';

type Team = { organization: ClerkOrganizationJsonFixture; admin: ClerkUserJsonFixture; member: ClerkUserJsonFixture };

async function delivered(origin: string, payload: unknown): Promise<void> {
  expect(await deliverWebhook(origin, payload)).toEqual({ status: 200, outcome: 'applied' });
}

/** An organization with an admin (Ada) and a member (Charles), all delivered by signed webhooks. */
async function teamByWebhook(origin: string): Promise<Team> {
  const organization = organizationPayload({ name: 'Analytical Engines' });
  const admin = clerkUser({ firstName: 'Ada', lastName: 'Lovelace' });
  const member = clerkUser({ firstName: 'Charles', lastName: 'Babbage' });
  for (const user of [admin, member]) await delivered(origin, userCreatedEvent(user));
  await delivered(origin, organizationCreatedEvent(organization));
  await delivered(origin, membershipCreatedEvent(membershipPayload({ organization, user: admin, role: 'org:admin' })));
  await delivered(origin, membershipCreatedEvent(membershipPayload({ organization, user: member, role: 'org:member' })));
  return { organization, admin, member };
}

function signInWithOrganization(
  context: BrowserContext,
  origin: string,
  user: ClerkUserJsonFixture,
  organization: ClerkOrganizationJsonFixture,
  role: string,
) {
  return signInAs(context, { userId: user.id, origin, organization: { id: organization.id, slug: organization.slug ?? '', role } });
}

function member(page: Page, user: ClerkUserJsonFixture) {
  return page.locator(`[data-member="${user.id}"]`);
}

/** Takes the "MongoDB indexes" assessment (first choice everywhere) on the page, for the session's organization. */
async function takeAssessment(page: Page, organizationName: string): Promise<void> {
  await page.goto('/assessments/take/mongodb-indexes');
  await expect(page.getByTestId('assessment-organization')).toContainText(`Taken for ${organizationName}`);
  for (const question of await page.getByRole('group').all()) await question.getByRole('radio').first().check();
  await page.getByRole('button', { name: 'Submit answers' }).click();
  await expect(page).toHaveURL(/\/assessments\/[0-9a-f]{24}$/);
}

test('a member signed in with an organization sees /team list its members from the database, with role and presence', async ({
  page,
  context,
  origin,
}) => {
  const { organization, admin, member: viewer } = await teamByWebhook(origin);
  await signInWithOrganization(context, origin, viewer, organization, 'org:member');

  await page.goto('/team');
  await expect(page.getByTestId('team-name')).toHaveText('Analytical Engines');
  await expect(page.getByTestId('team-viewer-role')).toHaveText('Member');
  // Clerk's switcher cannot load offline: its fallback says which organization the session has active.
  await expect(page.getByTestId('active-organization')).toHaveText(organization.slug!);
  // Admins first; the viewer marked, and online (this page view is their activity); the admin never seen.
  await expect(page.getByTestId('member-name')).toHaveText(['Ada Lovelace', 'Charles Babbage (you)']);
  await expect(member(page, admin).getByTestId('member-role')).toHaveText('Admin');
  await expect(member(page, viewer).getByTestId('member-role')).toHaveText('Member');
  await expect(member(page, viewer).getByTestId('member-presence')).toHaveText('online');
  await expect(member(page, admin).getByTestId('member-presence')).toContainText('never seen');
  await expect(page.getByTestId('team-results')).toHaveAttribute('data-access', 'own');
});

test('with no webhook for the organization, /team syncs it and the membership just in time from Clerk', async ({
  page,
  context,
  origin,
}) => {
  const viewer = clerkUser({ firstName: 'Grace', lastName: 'Hopper' });
  const organization = organizationPayload({ name: 'Compiler Club' });
  const membership = membershipPayload({ organization, user: viewer, role: 'org:admin' });
  await delivered(origin, userCreatedEvent(viewer));
  await registerInClerk(viewer);
  await registerMembershipInClerk(membership);
  expect(await storedOrganization(organization.id)).toBeNull();
  await signInWithOrganization(context, origin, viewer, organization, 'org:admin');

  await page.goto('/team');
  await expect(page.getByTestId('team-name')).toHaveText('Compiler Club');
  await expect(page.getByTestId('member-name')).toHaveText(['Grace Hopper (you)']);
  await expect(member(page, viewer).getByTestId('member-role')).toHaveText('Admin');

  const [stored, storedViewer] = await Promise.all([storedOrganization(organization.id), storedUser(viewer.id)]);
  expect(stored).toMatchObject({ clerkOrgId: organization.id, name: 'Compiler Club', deletedAt: null });
  expect(await storedMembership(organization.id, viewer.id)).toMatchObject({
    clerkMembershipId: membership.id,
    role: 'org:admin',
    organizationId: stored!._id,
    userId: storedViewer!._id,
    deletedAt: null,
  });
});

test("results taken for the organization are the team's: the admin sees everyone's, a member only their own", async ({
  page,
  context,
  origin,
}) => {
  const { organization, admin, member: basic } = await teamByWebhook(origin);

  await signInWithOrganization(context, origin, basic, organization, 'org:member');
  await takeAssessment(page, 'Analytical Engines');
  const [record] = await storedAssessments(basic.id);
  // The organization comes from the server's session and the synced membership: the form sent none.
  expect(record).toMatchObject({ clerkOrgId: organization.id, organizationId: (await storedOrganization(organization.id))!._id });

  await context.clearCookies();
  await signInWithOrganization(context, origin, admin, organization, 'org:admin');
  await takeAssessment(page, 'Analytical Engines');
  await page.goto('/team');
  await expect(page.getByTestId('team-results')).toHaveAttribute('data-access', 'all');
  await expect(page.getByTestId('team-result-member')).toHaveText(['Ada Lovelace', 'Charles Babbage']);

  await context.clearCookies();
  await signInWithOrganization(context, origin, basic, organization, 'org:member');
  await page.goto('/team');
  await expect(page.getByTestId('team-results')).toHaveAttribute('data-access', 'own');
  await expect(page.getByTestId('team-result')).toHaveCount(1);
  await expect(page.getByTestId('team-result-member')).toHaveCount(0);
});

test('a session that claims org:admin while the synced membership says member sees only their own results', async ({
  page,
  context,
  origin,
}) => {
  const { organization, admin, member: demoted } = await teamByWebhook(origin);
  await signInWithOrganization(context, origin, admin, organization, 'org:admin');
  await takeAssessment(page, 'Analytical Engines');

  await context.clearCookies();
  // The token still says admin (minted before a demotion); our database has the membership as a member.
  await signInWithOrganization(context, origin, demoted, organization, 'org:admin');
  await page.goto('/team');
  await expect(page.getByTestId('team-viewer-role')).toHaveText('Member');
  await expect(page.getByTestId('team-results')).toHaveAttribute('data-access', 'own');
  await expect(page.getByTestId('team-results-empty')).toBeVisible();
  await expect(page.getByText('Ada Lovelace').and(page.getByTestId('team-result-member'))).toHaveCount(0);
});

test('signed in without an active organization, /team says so', async ({ page, context, origin }) => {
  const user = clerkUser();
  await delivered(origin, userCreatedEvent(user));
  await signInAs(context, { userId: user.id, origin });
  await page.goto('/team');
  await expect(page.getByTestId('team-no_organization')).toBeVisible();
  await expect(page.getByTestId('active-organization')).toHaveText('Personal account');
});
