/**
 * An insertion-ordered Map kept to `max` entries: `key` is set as the newest, and past `max` the oldest is
 * dropped (the caches of the builds running now and of finished steps' logs).
 */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}
