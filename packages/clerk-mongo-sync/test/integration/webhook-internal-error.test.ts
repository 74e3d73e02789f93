/**
 * A bug in the receiver (simulated: applying the event throws, with user data
 * in the error's message) must still give Svix a plain 500 to retry, and the
 * operator one log line naming the error class — no message, no stack trace.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clerkUser, userCreatedEvent } from '../../src/testing/payloads.js';
import { deliver } from '../support/webhook.js';

vi.mock('../../src/webhooks/apply.js', () => ({
  applyEvent: () => Promise.reject(new TypeError('cannot read "ada.secret@example.com" of undefined')),
}));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('an unexpected error while receiving', () => {
  it('answers 500 "internal_error" and logs only the error class', async () => {
    const lines: string[] = [];
    for (const level of ['log', 'warn', 'error'] as const) {
      vi.spyOn(console, level).mockImplementation((line: unknown) => void lines.push(String(line)));
    }
    const answer = await deliver(userCreatedEvent(clerkUser({ email: 'ada.secret@example.com' })));

    expect(answer).toMatchObject({ status: 500, body: { outcome: 'internal_error', message: 'internal error' } });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      outcome: 'internal_error',
      status: 500,
      cause: 'TypeError',
      svixId: expect.stringMatching(/^msg_/),
    });
    expect(lines[0]).not.toMatch(/ada\.secret|at \//);
  });
});
