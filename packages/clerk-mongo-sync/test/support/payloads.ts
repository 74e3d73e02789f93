/** Payload shapes only tests need, beside the package's own builders (src/testing). */

/** Metadata whose objects nest `levels` deep: `{ level: { level: … 1 } }`. */
export function nestedMetadata(levels: number): Record<string, unknown> {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { level: value };
  return value as Record<string, unknown>;
}
