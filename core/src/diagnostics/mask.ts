/** Secret values replaced in text: what every log line, message and printed payload goes through (no logger needed). */

export const MASK = '********';

/** Replaces each secret (and its JSON-escaped form) in `text`. */
export function maskSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    out = out.split(secret).join(MASK);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.split(escaped).join(MASK);
  }
  return out;
}
