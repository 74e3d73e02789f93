import type { DeliveryRecord } from 'clerk-mongo-sync';
import { outcomeBadge } from './outcome-style';

export const formatUtc = (date: Date) => `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** The ledger as stored: ids, type, outcome and timing. It holds no payloads or PII, so neither does this table. */
export function DeliveriesTable({ deliveries, className }: { deliveries: DeliveryRecord[]; className?: string }) {
  if (deliveries.length === 0)
    return (
      <p className="muted">
        No deliveries recorded yet. Send one with <code>npm run webhook -- send user.created</code>.
      </p>
    );
  return (
    <div className={className}>
      <table>
        <thead>
          <tr>
            <th scope="col">Received</th>
            <th scope="col">svix-id</th>
            <th scope="col">Type</th>
            <th scope="col">Outcome</th>
            <th scope="col">Status</th>
            <th scope="col">Duration</th>
            <th scope="col">User</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.svixId} data-svix-id={delivery.svixId}>
              <td>{formatUtc(delivery.receivedAt)}</td>
              <td>
                <code>{delivery.svixId}</code>
              </td>
              <td>{delivery.type}</td>
              <td>
                <span className={outcomeBadge(delivery.outcome)}>{delivery.outcome}</span>
              </td>
              <td>{delivery.status}</td>
              <td>
                {delivery.durationMs} ms{delivery.attempts > 1 ? ` · ${delivery.attempts} attempts` : ''}
              </td>
              <td>
                <code>{delivery.clerkId ?? '—'}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
