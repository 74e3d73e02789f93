import { describe, expect, it } from 'vitest';
import { createClerkSync } from '../../src/engine/create.js';
import { ClerkSyncConfigError } from '../../src/engine/options.js';

/** Never called: these options are refused before any database is asked for. */
const database = () => {
  throw new Error('the database must not be asked for');
};

describe('createClerkSync refuses options it cannot work with, at once, naming them', () => {
  it('a database that is neither a Db nor a function', () => {
    expect(() => createClerkSync({ database: 'mongodb://localhost' as never })).toThrow(ClerkSyncConfigError);
    expect(() => createClerkSync({} as never)).toThrow(/`database` must be a MongoDB Db or a function/);
  });

  it('a presence window outside 120 s – a day, or not whole seconds', () => {
    expect(() => createClerkSync({ database, presence: { windowSeconds: 60 } })).toThrow(/presence\.windowSeconds must be at least 120/);
    expect(() => createClerkSync({ database, presence: { windowSeconds: 300.5 } })).toThrow(/whole number/);
    expect(() => createClerkSync({ database, presence: { windowSeconds: 600 } })).not.toThrow();
  });

  it('an event pattern that is neither a type nor a family', () => {
    expect(() => createClerkSync({ database, events: ['user'] })).toThrow(/events: "user" is neither an event type/);
    expect(() => createClerkSync({ database, events: ['user.created', 'session.*', '*'] })).not.toThrow();
    // Clerk's organization types are camelCase.
    expect(() => createClerkSync({ database, events: ['organizationMembership.*', 'organization.deleted'] })).not.toThrow();
  });

  it('two roles in one collection, or a name MongoDB would refuse', () => {
    expect(() => createClerkSync({ database, collections: { sessions: 'users' } })).toThrow(/a name of its own/);
    expect(() => createClerkSync({ database, collections: { users: '$users' } })).toThrow(/collections\.users must be a collection name/);
  });
});
