/**
 * Topics from a template and event data, which is hostile: a builder named `a/b`, `+`, `#` or
 * `$SYS` must neither add a level, nor be a wildcard (a broker refuses a PUBLISH with one), nor
 * land in the broker's `$` topics. Each value becomes exactly one level, reversibly encoded.
 */

/** The placeholders a topic template may use (the schema's pattern allows exactly these). */
export const TOPIC_KEYS = [
  'builder',
  'result',
  'event',
  'buildid',
  'number',
  'project',
  'branch',
  'repository',
] as const;
export type TopicKey = (typeof TOPIC_KEYS)[number];
export type TopicValues = Record<TopicKey, string | number | null | undefined>;

/** What stands for an empty or missing value: MQTT forbids no empty level, but `a//b` reads as a mistake. */
export const EMPTY_LEVEL = '-';

/**
 * One topic level for `value`: `%` first (so the encoding stays reversible), then the level
 * separator, the wildcards and NUL percent-encoded; a leading `$` too (topics starting with `$` are
 * the broker's own).
 */
export function topicLevel(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  if (text === '') return EMPTY_LEVEL;
  return text.replace(/[%/+#\u0000]|^\$/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The template with each `{key}` replaced by its value as one level. */
export function renderTopic(template: string, values: TopicValues): string {
  return template.replace(/\{([a-z]+)\}/g, (_, key: TopicKey) => topicLevel(values[key]));
}
