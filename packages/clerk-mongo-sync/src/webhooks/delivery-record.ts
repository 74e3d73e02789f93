import type { DeliveryOutcome } from './outcome.js';

/**
 * One entry per svix-id: what became of a delivery. It recognises a
 * redelivery and backs an admin view. No payload, no PII: ids, type, outcome
 * and timing only. The svix-id is also the `_id`, so recording a delivery is
 * one insert checked by the primary index, instead of a lookup plus an insert
 * into a second unique index.
 */
export type DeliveryRecord = {
  svixId: string;
  type: string;
  /** The user concerned; `null` for an organization's own events. */
  clerkId: string | null;
  /** The organization concerned, on organization and membership events only. */
  clerkOrgId?: string;
  outcome: DeliveryOutcome;
  status: number;
  receivedAt: Date;
  durationMs: number;
  attempts: number;
};

export type StoredDeliveryRecord = DeliveryRecord & { _id: string };
