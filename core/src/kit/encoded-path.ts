/**
 * URL paths built from event data (owner, repository, revision, room…), which is hostile. Every
 * reporter builds such paths here: each value becomes one encoded segment, a value that a URL
 * parser would treat as a dot segment (or that is empty) is refused, and the finished URL must
 * stay under the configured base, so a request carrying the reporter's credentials can never be
 * steered elsewhere on the server (`https://github.com/../..` as a repository, `..` as a revision).
 */
import { InvalidHttpRequestError } from '../http/errors.js';

/** Values a WHATWG URL parser resolves as `.` or `..` once they sit between slashes. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/** encodedPath`/repos/${owner}/${repo}` → each value through encodeURIComponent, the literal text as written. Throws for an empty or dot-segment value. */
export function encodedPath(literals: TemplateStringsArray, ...values: Array<string | number>): string {
  return literals.reduce((path, literal, i) => `${path}${segment(values[i - 1])}${literal}`);
}

function segment(value: string | number): string {
  const text = String(value);
  if (text === '' || DOT_SEGMENT.test(text)) {
    throw new InvalidHttpRequestError(`${JSON.stringify(text)} cannot be a segment of a URL path (empty, "." or "..")`);
  }
  return encodeURIComponent(text);
}

/** `base` + `path`, refused when the URL a client would request is not under `base` (trailing slashes of `base` ignored). */
export function urlUnder(base: string, path: string): string {
  const trimmed = base.replace(/\/+$/, '');
  const url = `${trimmed}${path}`;
  const root = new URL(`${trimmed}/`);
  const resolved = new URL(url);
  if (resolved.origin !== root.origin || !`${resolved.pathname}/`.startsWith(root.pathname)) {
    throw new InvalidHttpRequestError(`the request path ${JSON.stringify(path)} leaves the configured base URL`);
  }
  return url;
}

/** A commit id as the status APIs take it: 4 to 64 hex digits (Git, Mercurial; an SVN revision number too). */
export function isCommitId(revision: string): boolean {
  return /^[0-9a-f]{4,64}$/i.test(revision);
}
