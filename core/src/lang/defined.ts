/**
 * `fields` without its undefined-valued keys. For objects where a missing key must stay missing
 * (spread over defaults, compared, listed): `{ a, ...defined({ b, c: x.c }) }` instead of one
 * `...(b !== undefined ? { b } : {})` per key.
 */
export function defined<T extends object>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  // Keys, not entries: no array per key (this runs on hot paths). Own keys only, as before.
  for (const key of Object.keys(fields)) {
    const value = (fields as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
