/**
 * What the admin page shows, from deliveries that went through the real
 * webhook route into the real ledger, rendered to HTML the way the page does.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { STATUS_BY_OUTCOME, type DeliveryOutcome } from 'clerk-mongo-sync';
import {
  clerkUser,
  membershipCreatedEvent,
  membershipDeletedEvent,
  membershipPayload,
  organizationCreatedEvent,
  organizationDeletedEvent,
  organizationPayload,
  sessionEvent,
  signWebhook,
  userCreatedEvent,
  userDeletedEvent,
} from 'clerk-mongo-sync/testing';
import { DeliveriesChart } from '@/components/admin/deliveries-chart';
import { DeliveriesTable } from '@/components/admin/deliveries-table';
import { hourlyByOutcome, OUTCOMES } from '@/lib/admin/delivery-stats';
import { loadAdminOverview } from '@/lib/admin/overview';
import { clerkSync } from '@/lib/clerk-sync';
import { deliver, postToRoute } from '../support/webhook';

describe('admin overview', () => {
  it('counts, charts and lists the deliveries just sent, newest first', async () => {
    const kept = clerkUser();
    const removed = clerkUser();
    const created = signWebhook(process.env.CLERK_WEBHOOK_SECRET!, userCreatedEvent(kept));
    expect((await postToRoute(created)).status).toBe(200);
    expect((await postToRoute(created)).body.outcome).toBe('duplicate'); // same svix-id again: not a new ledger entry
    await deliver(userCreatedEvent(removed));
    await deliver(userDeletedEvent(removed.id));
    await deliver(sessionEvent('session.created', { userId: kept.id }));
    const last = await deliver(userCreatedEvent({ ...kept, updated_at: kept.updated_at - 1 })); // older: stale
    expect(last.body.outcome).toBe('stale');

    const overview = await loadAdminOverview();
    if (overview.state !== 'ready') throw new Error(`overview is ${overview.state}`);

    expect(overview.users).toEqual({ total: 2, deleted: 1 });
    expect(overview.recent.map((delivery) => delivery.type)).toEqual([
      'user.created',
      'session.created',
      'user.deleted',
      'user.created',
      'user.created',
    ]);
    expect(overview.recent.at(-1)).toMatchObject({ svixId: created.svixId, outcome: 'applied', status: 200, clerkId: kept.id });
    expect(overview.last24h).toMatchObject({ applied: 4, stale: 1, ignored: 0, duplicate: 0 });
    expect(overview.hourly).toHaveLength(24);
    // All sent seconds ago: the hourly buckets (usually just the current one) add up to the 24 h counts.
    const summed = Object.fromEntries(
      OUTCOMES.map((outcome) => [outcome, overview.hourly.reduce((sum, bucket) => sum + bucket.counts[outcome], 0)]),
    );
    expect(summed).toEqual(overview.last24h);

    const table = renderToStaticMarkup(createElement(DeliveriesTable, { deliveries: overview.recent }));
    expect(table).toContain(`data-svix-id="${created.svixId}"`);
    const chart = renderToStaticMarkup(createElement(DeliveriesChart, { hourly: overview.hourly }));
    const segments = overview.hourly.flatMap((bucket) => OUTCOMES.filter((outcome) => bucket.counts[outcome] > 0));
    expect(new Set(segments)).toEqual(new Set(['applied', 'stale']));
    expect(chart.match(/<rect /g)?.length).toBe(segments.length + 2 /* one legend swatch per outcome present */);
    expect(chart).toMatch(/UTC: \d applied/);
  });

  it('counts organizations and memberships beside users: live, deleted, ended', async () => {
    const [kept, removed] = [organizationPayload(), organizationPayload()];
    const left = membershipPayload({ organization: kept });
    for (const event of [
      organizationCreatedEvent(kept),
      organizationCreatedEvent(removed),
      membershipCreatedEvent(membershipPayload({ organization: kept, role: 'org:admin' })),
      membershipCreatedEvent(left),
      membershipCreatedEvent(membershipPayload({ organization: removed })),
    ]) {
      expect((await deliver(event)).body.outcome).toBe('applied');
    }
    expect((await deliver(membershipDeletedEvent(left))).body.outcome).toBe('applied');
    // The organization's deletion ends its membership with it.
    expect((await deliver(organizationDeletedEvent(removed.id))).body.outcome).toBe('applied');

    const overview = await loadAdminOverview();
    if (overview.state !== 'ready') throw new Error(`overview is ${overview.state}`);
    expect(overview.organizations).toEqual({ total: 2, deleted: 1 });
    expect(overview.memberships).toEqual({ total: 3, ended: 2 });
  });
});

describe('hourly delivery chart', () => {
  /** A clock of its own, decades ahead, so no other delivery lands in its hours (and the TTL monitor deletes none). */
  const now = new Date('2099-01-01T10:30:00Z');

  function ledgerEntry(receivedAt: string, outcome: DeliveryOutcome) {
    const svixId = `msg_hourly_${receivedAt}_${outcome}`;
    return {
      _id: svixId,
      svixId,
      type: 'user.updated',
      clerkId: 'user_2hourly',
      outcome,
      status: STATUS_BY_OUTCOME[outcome],
      receivedAt: new Date(receivedAt),
      durationMs: 3,
      attempts: 1,
    };
  }

  it('counts each delivery in its UTC clock hour, over the 24 hours up to the current one', async () => {
    const ledger = await clerkSync.deliveries.collection();
    await ledger.insertMany([
      ledgerEntry('2098-12-31T10:59:59.999Z', 'applied'), // before the first hour: not counted
      ledgerEntry('2098-12-31T11:00:00.000Z', 'ignored'), // the first hour's first millisecond
      ledgerEntry('2098-12-31T23:59:59.999Z', 'applied'), // the last hour of the old day…
      ledgerEntry('2099-01-01T00:00:00.000Z', 'applied'), // …and the first of the new one
      ledgerEntry('2099-01-01T00:00:00.001Z', 'applied'),
      ledgerEntry('2099-01-01T09:59:59.999Z', 'stale'),
      ledgerEntry('2099-01-01T10:00:00.000Z', 'applied'), // the current hour, still filling
      ledgerEntry('2099-01-01T10:29:59.000Z', 'stale'),
      ledgerEntry('2099-01-01T11:00:00.000Z', 'applied'), // the next hour: not counted
    ]);

    const hourly = await hourlyByOutcome(ledger, now);

    expect(hourly).toHaveLength(24);
    expect(hourly[0]?.start.toISOString()).toBe('2098-12-31T11:00:00.000Z');
    expect(hourly.at(-1)?.start.toISOString()).toBe('2099-01-01T10:00:00.000Z');
    const filled = hourly.flatMap(({ start, counts }) => {
      const nonZero = Object.entries(counts).filter(([, count]) => count > 0);
      return nonZero.length > 0 ? [[start.toISOString(), Object.fromEntries(nonZero)] as const] : [];
    });
    expect(Object.fromEntries(filled)).toEqual({
      '2098-12-31T11:00:00.000Z': { ignored: 1 },
      '2098-12-31T23:00:00.000Z': { applied: 1 },
      '2099-01-01T00:00:00.000Z': { applied: 2 },
      '2099-01-01T09:00:00.000Z': { stale: 1 },
      '2099-01-01T10:00:00.000Z': { applied: 1, stale: 1 },
    });
  });
});
