/**
 * `clerk-mongo-sync db organizations | organization <clerkOrgId>`, as a
 * newcomer runs it (a child process, configured through its environment), on
 * what real deliveries wrote.
 */
import { describe, expect, it } from 'vitest';
import { membershipCreatedEvent, membershipDeletedEvent, membershipPayload, organizationPayload } from '../../src/testing/payloads.js';
import { runBin, type CliRun } from '../support/cli.js';
import { deliver } from '../support/webhook.js';

const database = () => ({ MONGODB_URI: process.env.MONGODB_URI!, MONGODB_DB: process.env.MONGODB_DB! });

function runCli(args: string[]): Promise<CliRun> {
  return runBin(['db', ...args], database());
}

describe('db organizations', () => {
  it('organizations and organization <clerkOrgId>: each with its active members, then one with its memberships', async () => {
    const organization = organizationPayload({ name: 'Cli Org', slug: 'cli-org', publicMetadata: { 'plan.tier': 'team' } });
    const stays = membershipPayload({ organization, role: 'org:admin' });
    const leaves = membershipPayload({ organization });
    await deliver(membershipCreatedEvent(stays));
    await deliver(membershipCreatedEvent(leaves));
    await deliver(membershipDeletedEvent(leaves, leaves.updated_at + 1_000));

    const listed = await runCli(['organizations', '--json']);
    expect(listed.code).toBe(0);
    const organizations = JSON.parse(listed.stdout) as { clerkOrgId: string; activeMembers: number; publicMetadata: unknown }[];
    expect(organizations.find(({ clerkOrgId }) => clerkOrgId === organization.id)).toMatchObject({
      activeMembers: 1,
      publicMetadata: { 'plan.tier': 'team' },
    });
    const table = await runCli(['organizations']);
    expect(table.stdout).toMatch(new RegExp(`${organization.id}\\s+Cli Org\\s+cli-org\\s+live\\s+1`));

    const one = await runCli(['organization', organization.id]);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain(`memberships (2):`);
    expect(one.stdout).toMatch(new RegExp(`${stays.public_user_data.user_id}\\s+org:admin`));
    expect(await runCli(['organization', 'org_2unknown'])).toMatchObject({ code: 1, stdout: '' });
  });
});
