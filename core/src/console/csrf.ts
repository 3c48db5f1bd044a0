/**
 * What keeps another site from pressing the console's buttons through an operator's browser
 * (the browser sends the Basic credentials along): each form carries a token, the HMAC of its
 * action path under a key made at start (no session to keep; a restart makes old pages' tokens
 * stale), compared in constant time; and the request's Origin (or Referer) must name the host
 * it was sent to.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export class CsrfGuard {
  private readonly key = randomBytes(32);

  /** The token a form posting to `action` (a path) carries. */
  token(action: string): string {
    return createHmac('sha256', this.key).update(action).digest('base64url');
  }

  /** Why a POST to `action` is refused, or undefined when it came from the console's own page. */
  refusal(req: IncomingMessage, action: string, token: string | undefined): string | undefined {
    const from = sourceOrigin(req);
    if (!from) return 'the request names no Origin or Referer';
    if (from !== req.headers.host) return `the request comes from another site (${from})`;
    const expected = Buffer.from(this.token(action));
    const given = Buffer.from(token ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return 'the form token is missing or stale (reload the page)';
    return undefined;
  }
}

/** The host:port the request says it came from: Origin, else Referer (a browser sends one of them with a form POST). */
function sourceOrigin(req: IncomingMessage): string | undefined {
  // An opaque Origin (`null`: a sandboxed frame) names no host, so it is refused like a foreign one.
  const from = req.headers.origin ?? req.headers.referer;
  if (!from) return undefined;
  try {
    return new URL(from).host;
  } catch {
    return undefined;
  }
}
