import type { Metadata } from 'next';
import { DeliveriesChart } from '@/components/admin/deliveries-chart';
import { DeliveriesTable, formatUtc } from '@/components/admin/deliveries-table';
import { ResyncForm } from '@/components/admin/resync-form';
import { requireAdmin } from '@/lib/admin/authorize';
import { OUTCOMES } from '@/lib/admin/delivery-stats';
import { loadAdminOverview } from '@/lib/admin/overview';
import { lastResyncFrom } from '@/lib/admin/resync';
import { resyncUserAction } from './actions';
import styles from './admin.module.css';

export const metadata: Metadata = { title: 'Admin', robots: { index: false } };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AdminPage({ searchParams }: Props) {
  await requireAdmin();
  const [overview, params] = await Promise.all([loadAdminOverview(), searchParams]);
  const lastResync = lastResyncFrom(params);

  return (
    <main className={styles.wide}>
      <h1>Admin</h1>
      {overview.state === 'unavailable' ? (
        <section className="card removed" role="alert">
          <h2>The database is unavailable</h2>
          <p>Deliveries and users cannot be read right now. Webhooks answer 503 meanwhile, and Svix retries them. Reload in a moment.</p>
        </section>
      ) : (
        <>
          <p className="muted">Webhook deliveries and the synced users, as of {formatUtc(overview.generatedAt)}.</p>

          <section className="card" aria-labelledby="users-heading">
            <h2 id="users-heading">Users</h2>
            <dl className={styles.stats}>
              <div>
                <dt>Total</dt>
                <dd>{overview.users.total}</dd>
              </div>
              <div>
                <dt>Deleted</dt>
                <dd>{overview.users.deleted}</dd>
              </div>
              <div>
                <dt>Active</dt>
                <dd>{overview.users.total - overview.users.deleted}</dd>
              </div>
            </dl>
          </section>

          <section className="card" aria-labelledby="organizations-heading">
            <h2 id="organizations-heading">Organizations and memberships</h2>
            <dl className={styles.stats}>
              <div data-stat="organizations">
                <dt>Organizations</dt>
                <dd>{overview.organizations.total - overview.organizations.deleted}</dd>
              </div>
              <div data-stat="organizations-deleted">
                <dt>Deleted</dt>
                <dd>{overview.organizations.deleted}</dd>
              </div>
              <div data-stat="memberships">
                <dt>Memberships</dt>
                <dd>{overview.memberships.total - overview.memberships.ended}</dd>
              </div>
              <div data-stat="memberships-ended">
                <dt>Ended</dt>
                <dd>{overview.memberships.ended}</dd>
              </div>
            </dl>
          </section>

          <section className="card" aria-labelledby="day-heading">
            <h2 id="day-heading">Deliveries, last 24 hours</h2>
            <dl className={styles.stats}>
              {OUTCOMES.map((outcome) => (
                <div key={outcome} className={overview.last24h[outcome] === 0 ? styles.zero : undefined} data-outcome={outcome}>
                  <dt>{outcome}</dt>
                  <dd>{overview.last24h[outcome]}</dd>
                </div>
              ))}
            </dl>
            <h3>Per hour, by outcome</h3>
            <DeliveriesChart hourly={overview.hourly} />
          </section>

          <section className="card" id="resync" aria-labelledby="resync-heading">
            <h2 id="resync-heading">Re-sync a user from Clerk</h2>
            <p className="muted">
              Fetches the user from Clerk&apos;s Backend API and applies it through the same order-guarded write as webhooks: for a user
              whose webhooks were missed.
            </p>
            <ResyncForm action={resyncUserAction} last={lastResync} className={styles.inlineForm} />
          </section>

          <section aria-labelledby="recent-heading">
            <h2 id="recent-heading">Latest deliveries</h2>
            <p className="muted">Newest first, up to 100, from the delivery ledger.</p>
            <DeliveriesTable deliveries={overview.recent} className={styles.tableWrap} />
          </section>
        </>
      )}
    </main>
  );
}
