const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** A date as pages show it: fixed to UTC, so server-rendered HTML does not depend on the server's time zone. */
export function formatDate(date: Date | null): string {
  return date ? `${dateFormat.format(date)} UTC` : '—';
}
