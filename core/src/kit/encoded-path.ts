/**
 * URL paths built from event data (owner, repository, revision, room…), which is hostile: every
 * reporter builds such paths here, so each value is a single encoded segment and a later check
 * on those values has one place to live.
 */

/** encodedPath`/repos/${owner}/${repo}` → each value through encodeURIComponent, the literal text as written. */
export function encodedPath(literals: TemplateStringsArray, ...values: Array<string | number>): string {
  return literals.reduce((path, literal, i) => `${path}${encodeURIComponent(values[i - 1])}${literal}`);
}
