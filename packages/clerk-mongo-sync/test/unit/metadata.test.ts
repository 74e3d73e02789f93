import { describe, expect, it } from 'vitest';
import { decodeKeys, encodeKeys } from '../../src/users/metadata.js';

/** Every key at any depth, to check none could be read as an operator or a path. */
function allKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(allKeys);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => [key, ...allKeys(item)]);
}

const hostile = {
  $set: { role: 'admin' },
  'a.b': 1,
  'profile.plan': { $gt: '' },
  'nul\u0000key': true,
  '%24set': 'already looks encoded',
  '100%': 'literal percent',
  list: [{ $where: 'sleep(1000)' }, ['$inc', { 'x.y': null }]],
  role: 'member',
};

describe('metadata key encoding', () => {
  it('leaves no key starting with $ or containing . or NUL, at any depth', () => {
    for (const key of allKeys(encodeKeys(hostile))) {
      expect(key).not.toMatch(/^\$|\.|\u0000/);
    }
  });

  it('round-trips every key exactly, including keys that already look encoded', () => {
    expect(decodeKeys(encodeKeys(hostile))).toEqual(hostile);
  });

  it('keeps ordinary keys as they are, so publicMetadata.role stays queryable', () => {
    expect(encodeKeys({ role: 'admin', plan: { tier: 'pro' } })).toEqual({ role: 'admin', plan: { tier: 'pro' } });
  });

  it('encodes with a fixed, documented scheme', () => {
    expect(encodeKeys({ '$a.b%c\u0000': 1 })).toEqual({ '%24a%2Eb%25c%00': 1 });
  });

  it('never changes values, even strings that look like operators or encodings', () => {
    const values = { a: '$set', b: '%24', c: ['$x', 'a.b'], d: null, e: 0, f: false };
    expect(encodeKeys(values)).toEqual(values);
    expect(decodeKeys(values)).toEqual(values);
  });
});
