/**
 * `fields` without its undefined-valued keys. For objects where a missing key must stay missing
 * (spread over defaults, compared, listed): `{ a, ...defined({ b, c: x.c }) }` instead of one
 * `...(b !== undefined ? { b } : {})` per key.
 */
export function defined<T extends object>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
