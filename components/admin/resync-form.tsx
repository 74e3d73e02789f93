import { RESYNC_MESSAGES, type ResyncResult } from '@/lib/admin/resync';

type Props = {
  /** The server action that runs the re-sync (it checks admin access itself). */
  action: (formData: FormData) => Promise<void>;
  last?: { userId: string; result: ResyncResult };
  className?: string;
};

/** One user id in, the just-in-time sync path run for it, the result shown after the redirect back. */
export function ResyncForm({ action, last, className }: Props) {
  return (
    <>
      {last && (
        <p role="status" className={`card ${RESYNC_MESSAGES[last.result].ok ? '' : 'notice'}`}>
          <code>{last.userId || '(empty)'}</code>: {RESYNC_MESSAGES[last.result].text}
        </p>
      )}
      <form action={action} className={className}>
        <label htmlFor="resync-user-id" className="muted">
          Clerk user id
        </label>
        <input
          id="resync-user-id"
          name="userId"
          required
          placeholder="user_…"
          autoComplete="off"
          spellCheck={false}
          defaultValue={last?.userId}
        />
        <button type="submit" className="button">
          Re-sync from Clerk
        </button>
      </form>
    </>
  );
}
