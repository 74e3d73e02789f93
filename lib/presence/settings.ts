import 'server-only';
import { env } from '@/lib/env';

/** How long after their last activity a user with a live session still counts as online (PRESENCE_WINDOW_SECONDS). */
export function presenceWindowMs(): number {
  return env().PRESENCE_WINDOW_SECONDS * 1000;
}
