import { clerkWebhookRoute } from 'clerk-mongo-sync/next';
import { clerkSync } from '@/lib/clerk-sync';

export const dynamic = 'force-dynamic';
// Svix waits 15 s for an answer; the engine's deadline keeps us inside it.
export const maxDuration = 15;

export const { POST, GET, PUT, PATCH, DELETE, OPTIONS } = clerkWebhookRoute(clerkSync);
