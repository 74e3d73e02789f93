/**
 * What the admin page shows, from deliveries that went through the real
 * webhook route into the real ledger, rendered to HTML the way the page does.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DeliveriesChart } from '@/components/admin/deliveries-chart';
import { DeliveriesTable } from '@/components/admin/deliveries-table';
import { hourlyByOutcome, OUTCOMES } from '@/lib/admin/delivery-stats';
import { loadAdminOverview } from '@/lib/admin/overview';
import { capabilities, db } from '@/lib/db/client';
import { clerkUser, sessionEvent, userCreatedEvent, userDeletedEvent } from '../../tools/clerk/payloads';
import { signDelivery } from '../../tools/clerk/svix';
import { deliver, postToRoute } from '../support/webhook';

describe('admin overview', () => {
  it('counts, charts and lists the deliveries just sent, newest first', async () => {
    const kept = clerkUser();
    const removed = clerkUser();
    const created = signDelivery(process.env.CLERK_WEBHOOK_SECRET!, userCreatedEvent(kept));
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
});

describe('hourly delivery chart', () => {
  it('counts the same with one $dateTrunc aggregation as with one range query per hour', async (context) => {
    if (!(await capabilities()).dateGrouping) {
      context.skip('this server cannot $group by $dateTrunc (MongoDB 5.0+), so the app counts by range queries only');
    }
    await deliver(userCreatedEvent(clerkUser()));
    const now = new Date();
    const [ranges, grouped] = await Promise.all([
      hourlyByOutcome(await db(), now, { dateGrouping: false }),
      hourlyByOutcome(await db(), now, { dateGrouping: true }),
    ]);
    expect(grouped).toEqual(ranges);
    expect(grouped.at(-1)?.counts.applied).toBeGreaterThan(0);
  });
});
