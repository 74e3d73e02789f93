/**
 * Resolves with `work`'s result, or with `late` once `ms` have passed,
 * whichever comes first. The work is not cancelled: callers use it where a
 * late result is harmless (idempotent writes, pings) but a late answer is not.
 */
export function beforeDeadline<T>(work: Promise<T>, ms: number, late: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late), Math.max(0, ms));
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
