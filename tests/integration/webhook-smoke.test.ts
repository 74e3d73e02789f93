import { describe, expect, it } from 'vitest';
import { clerkUser, userCreatedEvent } from '../fixtures/clerk';
import { deliver } from '../support/webhook';
import { findUserByClerkId } from '@/lib/users/repository';

describe('smoke', () => {
  it('a signed user.created creates the user', async () => {
    const user = clerkUser();
    const answer = await deliver(userCreatedEvent(user));
    expect(answer.status).toBe(200);
    expect(answer.body.outcome).toBe('applied');
    const stored = await findUserByClerkId(user.id);
    expect(stored?.firstName).toBe('Ada');
  });
});
