/**
 * Metadata is user-controlled JSON. MongoDB (and compatible servers) reject or
 * misinterpret keys that start with `$` or contain `.`, and BSON cannot hold
 * a key with a NUL byte at all, so keys are stored percent-encoded:
 * `%` → `%25`, `$` → `%24`, `.` → `%2E`, NUL → `%00`. The encoding is
 * reversible and leaves ordinary keys (`role`, `plan`) untouched, so
 * `publicMetadata.role` stays queryable. Values are never touched: a value
 * like `"$set"` is stored as the string it is.
 */
type Json = unknown;

const ENCODE = /[%$.\0]/g;
const DECODE = /%(25|24|2E|00)/g;
const ENCODED: Record<string, string> = { '%': '%25', $: '%24', '.': '%2E', '\0': '%00' };
const DECODED: Record<string, string> = { '25': '%', '24': '$', '2E': '.', '00': '\0' };

function mapKeys(value: Json, rename: (key: string) => string): Json {
  if (Array.isArray(value)) return value.map((item) => mapKeys(item, rename));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [rename(key), mapKeys(item, rename)]));
}

export function encodeKeys(value: Record<string, Json>): Record<string, Json> {
  return mapKeys(value, (key) => key.replace(ENCODE, (char) => ENCODED[char] ?? char)) as Record<string, Json>;
}

export function decodeKeys(value: Record<string, Json>): Record<string, Json> {
  return mapKeys(value, (key) => key.replace(DECODE, (_, code: string) => DECODED[code] ?? code)) as Record<string, Json>;
}
