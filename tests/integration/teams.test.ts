/**
 * Assessments for an organization and the team view, against the real
 * database: a result is linked to the organization only through the synced
 * membership of the session's active organization; nothing is written for
 * an organization that is not ready; the team's results are read only by
 * an admin by both the session's claims and the synced membership, and the
 * members are our memberships joined to our users.
 */
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  clerkId as clerkIdOf,
  clerkUser,
  membershipCreatedEvent,
  membershipDeletedEvent,
  membershipPayload,
  organizationCreatedEvent,
  organizationDeletedEvent,
  organizationPayload,
  userCreatedEvent,
  type ClerkMembershipJsonFixture,
  type ClerkOrganizationJsonFixture,
  type ClerkUserJsonFixture,
} from 'clerk-mongo-sync/testing';
import { startClerkApiDoubleForApp, type ClerkApiDouble } from '../../tools/clerk/api-double';
import { deliver } from '../support/webhook';

type Modules = {
  catalogue: typeof import('@/lib/assessments/catalogue');
  submission: typeof import('@/lib/assessments/submission');
  submit: typeof import('@/lib/assessments/submit');
  repository: typeof import('@/lib/assessments/repository');
  team: typeof import('@/lib/teams/team');
  engine: typeof import('@/lib/clerk-sync');
  client: typeof import('@/lib/db/client');
};

let clerk: ClerkApiDouble;
let m: Modules;

// The page's organization check, wrapped so a test can land a webhook right after it (and before the insert).
vi.mock('@/lib/clerk-sync', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/clerk-sync')>();
  return { ...actual, loadOrganization: vi.fn(actual.loadOrganization) };
});

beforeAll(async () => {
  // Before the imports: the Clerk SDK reads where Clerk is when it loads.
  clerk = await startClerkApiDoubleForApp('sk_test_teamsDouble000000000000000000');
  m = {
    catalogue: await import('@/lib/assessments/catalogue'),
    submission: await import('@/lib/assessments/submission'),
    submit: await import('@/lib/assessments/submit'),
    repository: await import('@/lib/assessments/repository'),
    team: await import('@/lib/teams/team'),
    engine: await import('@/lib/clerk-sync'),
    client: await import('@/lib/db/client'),
  };
});

afterAll(() => clerk.close());

async function applied(payload: unknown): Promise<void> {
  expect((await deliver(payload)).body.outcome).toBe('applied');
}

type Team = {
  organization: ClerkOrganizationJsonFixture;
  admin: ClerkUserJsonFixture;
  member: ClerkUserJsonFixture;
  membership: ClerkMembershipJsonFixture;
};

/** An organization with an admin and a member (`membership`), users and all delivered by webhook. */
async function syncedTeam(): Promise<Team> {
  const organization = organizationPayload();
  const admin = clerkUser({ firstName: 'Ada', lastName: 'Lovelace' });
  const member = clerkUser({ firstName: 'Charles', lastName: 'Babbage' });
  for (const user of [admin, member]) await applied(userCreatedEvent(user));
  await applied(organizationCreatedEvent(organization));
  await applied(membershipCreatedEvent(membershipPayload({ organization, user: admin, role: 'org:admin' })));
  const membership = membershipPayload({ organization, user: member, role: 'org:member' });
  await applied(membershipCreatedEvent(membership));
  return { organization, admin, member, membership };
}

/** A complete answer sheet for the first assessment: the first `correct` answers right. */
function sheet(correct: number): [string, string][] {
  const assessment = m.catalogue.ASSESSMENTS[0]!;
  return assessment.questions.map((question, index) => [
    m.submission.answerFieldName(question.id),
    index < correct ? question.answer : question.choices.find((choice) => choice.id !== question.answer)!.id,
  ]);
}

async function submittedFor(clerkId: string, clerkOrgId: string | null, correct = 3): Promise<string> {
  const outcome = await m.submit.submitAssessment(clerkId, m.catalogue.ASSESSMENTS[0]!.slug, sheet(correct), clerkOrgId);
  if (outcome.kind !== 'created') throw new Error(`expected created, got ${JSON.stringify(outcome)}`);
  return outcome.id;
}

async function storedRecord(id: string) {
  return (await m.repository.assessmentsCollection(await m.client.db()).findOne({ _id: new ObjectId(id) }))!;
}

async function countAll(): Promise<number> {
  return m.repository.assessmentsCollection(await m.client.db()).countDocuments();
}

function viewer(clerkId: string, clerkOrgId: string | null, sessionSaysAdmin: boolean) {
  return { clerkId, sessionId: clerkIdOf('sess'), clerkOrgId, sessionSaysAdmin };
}

describe('an assessment taken for the active organization', () => {
  it('links to the organization by both ids, from the synced documents', async () => {
    const { organization, member } = await syncedTeam();
    const id = await submittedFor(member.id, organization.id);
    const stored = await m.engine.clerkSync.organizations.find(organization.id);
    expect(await storedRecord(id)).toMatchObject({ clerkUserId: member.id, organizationId: stored!._id, clerkOrgId: organization.id });
  });

  it('is refused, writing nothing, when the user is not a member (neither our database nor Clerk lists them)', async () => {
    const { organization } = await syncedTeam();
    const outsider = clerkUser();
    await applied(userCreatedEvent(outsider));
    const before = await countAll();
    expect(await m.submit.submitAssessment(outsider.id, m.catalogue.ASSESSMENTS[0]!.slug, sheet(5), organization.id)).toEqual({
      kind: 'organization',
      state: 'not_member',
    });
    expect(await countAll()).toBe(before);
  });

  it('is refused, writing nothing, when the organization was deleted', async () => {
    const { organization, member } = await syncedTeam();
    await applied(organizationDeletedEvent(organization.id));
    const before = await countAll();
    expect(await m.submit.submitAssessment(member.id, m.catalogue.ASSESSMENTS[0]!.slug, sheet(5), organization.id)).toEqual({
      kind: 'organization',
      state: 'deleted',
    });
    expect(await countAll()).toBe(before);
  });
});

describe('an assessment taken as the membership ends', () => {
  it.each([
    { ending: 'the membership ends', state: 'not_member', end: ({ membership }: Team) => membershipDeletedEvent(membership) },
    { ending: 'the organization is deleted', state: 'deleted', end: ({ organization }: Team) => organizationDeletedEvent(organization.id) },
  ])('is removed again, and the page told, when $ending between the check and the insert', async ({ state, end }) => {
    const team = await syncedTeam();
    const loadOrganization = vi.mocked(m.engine.loadOrganization);
    const check = loadOrganization.getMockImplementation()!;
    loadOrganization.mockImplementationOnce(async (clerkOrgId, clerkUserId) => {
      const checked = await check(clerkOrgId, clerkUserId);
      expect(checked.state, 'the check itself saw a member').toBe('ready');
      await applied(end(team));
      return checked;
    });
    const before = await countAll();
    expect(await m.submit.submitAssessment(team.member.id, m.catalogue.ASSESSMENTS[0]!.slug, sheet(5), team.organization.id)).toEqual({
      kind: 'organization',
      state,
    });
    expect(loadOrganization).toHaveBeenCalledWith(team.organization.id, team.member.id);
    expect(await countAll()).toBe(before);
  });
});

describe('the team view', () => {
  it("lists the members from our memberships and users, admins first, with role and the viewer's presence", async () => {
    const { organization, admin, member } = await syncedTeam();
    const view = await m.team.loadTeam(viewer(member.id, organization.id, false));
    if (view.state !== 'ready') throw new Error(view.state);
    expect(view.organization).toEqual({ name: organization.name, slug: organization.slug });
    expect(
      view.members.map(({ clerkUserId, name, role, roleLabel, isViewer }) => ({ clerkUserId, name, role, roleLabel, isViewer })),
    ).toEqual([
      { clerkUserId: admin.id, name: 'Ada Lovelace', role: 'org:admin', roleLabel: 'Admin', isViewer: false },
      { clerkUserId: member.id, name: 'Charles Babbage', role: 'org:member', roleLabel: 'Member', isViewer: true },
    ]);
    // The page view is the viewer's activity; the admin has never been seen.
    expect(view.members.map((each) => each.presence.isOnline)).toEqual([false, true]);
  });

  it("an admin by claims and membership sees every member's results for the organization, and no personal ones", async () => {
    const { organization, admin, member } = await syncedTeam();
    const other = await syncedTeam();
    const memberResult = await submittedFor(member.id, organization.id, 2);
    const adminResult = await submittedFor(admin.id, organization.id, 4);
    await submittedFor(member.id, null); // personal
    await submittedFor(other.member.id, other.organization.id); // another organization's

    const view = await m.team.loadTeam(viewer(admin.id, organization.id, true));
    if (view.state !== 'ready') throw new Error(view.state);
    expect(view.results.access).toBe('all');
    expect(view.results.records.map((record) => [record._id.toHexString(), record.memberName, record.score, record.isViewers])).toEqual([
      [adminResult, 'Ada Lovelace', 4, true],
      [memberResult, 'Charles Babbage', 2, false],
    ]);
  });

  it('a member, a session that claims admin against a member membership, and an admin membership without the claim see only their own', async () => {
    const { organization, admin, member } = await syncedTeam();
    const memberResult = await submittedFor(member.id, organization.id);
    const adminResult = await submittedFor(admin.id, organization.id);
    const ownOnly = async (clerkId: string, sessionSaysAdmin: boolean) => {
      const view = await m.team.loadTeam(viewer(clerkId, organization.id, sessionSaysAdmin));
      if (view.state !== 'ready') throw new Error(view.state);
      return [view.results.access, view.results.records.map((record) => record._id.toHexString())];
    };
    expect(await ownOnly(member.id, false)).toEqual(['own', [memberResult]]);
    expect(await ownOnly(member.id, true)).toEqual(['own', [memberResult]]);
    expect(await ownOnly(admin.id, false)).toEqual(['own', [adminResult]]);
  });

  it('says when there is no active organization, the user is not a member, or the organization is deleted', async () => {
    const { organization, member } = await syncedTeam();
    const outsider = clerkUser();
    await applied(userCreatedEvent(outsider));
    expect(await m.team.loadTeam(viewer(member.id, null, false))).toEqual({ state: 'no_organization' });
    expect(await m.team.loadTeam(viewer(outsider.id, organization.id, true))).toEqual({ state: 'not_member' });
    await applied(organizationDeletedEvent(organization.id));
    expect(await m.team.loadTeam(viewer(member.id, organization.id, false))).toEqual({ state: 'deleted' });
  });

  it("reads the organization's results through the partial clerkOrgId_createdAt index", async () => {
    const { organization, admin } = await syncedTeam();
    await submittedFor(admin.id, organization.id);
    const explained = await m.repository
      .assessmentsCollection(await m.client.db())
      .find({ clerkOrgId: organization.id })
      .sort({ createdAt: -1, _id: -1 })
      .explain('queryPlanner');
    expect(JSON.stringify(explained.queryPlanner.winningPlan), JSON.stringify(explained.queryPlanner.winningPlan)).toContain(
      '"indexName":"clerkOrgId_createdAt"',
    );
  });
});
