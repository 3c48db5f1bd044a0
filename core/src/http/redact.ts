/**
 * What in an HTTP request is secret even when no option was marked `x-secret`: credential headers
 * (a Basic header is base64 of user:password), passwords in URLs, token-like query parameters.
 * Errors, outcome reasons and logs mask these values.
 */
import { MASK, maskSecrets } from '../diagnostics/mask.js';
import { httpRequestProblems, type HttpRequest } from './request.js';

const SENSITIVE_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|api[-_]?key|password|signature/i;
const SENSITIVE_QUERY = /token|secret|password|passwd|api[-_]?key|^key$|signature|^sig$|auth|credential|^code$/i;

export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADER.test(name);
}

/** The URL with its password and token-like query values masked (an unparsable URL is masked whole). */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return MASK;
  }
  if (parsed.password) parsed.password = MASK;
  else if (parsed.username) parsed.username = MASK;
  for (const [name] of parsed.searchParams) if (SENSITIVE_QUERY.test(name)) parsed.searchParams.set(name, MASK);
  // URLSearchParams percent-encodes the mask; show it as written.
  return parsed.toString().split(encodeURIComponent(MASK)).join(MASK);
}

/** Secret values a request carries, longest first so a whole header masks before its parts. */
export function requestSecrets(request: Pick<HttpRequest, 'url' | 'headers'>): string[] {
  const found = new Set<string>();
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (!isSensitiveHeader(name) || !value) continue;
    found.add(value);
    const [scheme, credential] = value.split(/\s+/, 2);
    if (credential && /^(basic|bearer|token|digest)$/i.test(scheme)) {
      found.add(credential);
      if (/^basic$/i.test(scheme)) {
        const decoded = Buffer.from(credential, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon >= 0 && decoded.length > colon + 1) found.add(decoded.slice(colon + 1));
      }
    }
  }
  try {
    const url = new URL(request.url);
    if (url.password) found.add(decodeURIComponent(url.password));
    for (const [name, value] of url.searchParams) if (SENSITIVE_QUERY.test(name) && value) found.add(value);
  } catch {
    // An unparsable URL carries nothing we could find; callers mask it whole.
  }
  // Very short values (e.g. "x") would mask ordinary text everywhere.
  return [...found].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

/** Credentials a delivery payload carries when it is an HTTP request (none otherwise): mask them in previews too. */
export function payloadSecrets(payload: unknown): string[] {
  return httpRequestProblems(payload).length ? [] : requestSecrets(payload as HttpRequest);
}

/** `text` with the request's secrets and the given known secrets masked. */
export function redactText(text: string, secrets: Iterable<string>): string {
  return maskSecrets(
    text,
    [...secrets].sort((a, b) => b.length - a.length),
  );
}
