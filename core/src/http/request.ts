/**
 * An HTTP request described as data: what a plugin without `send` delivers (core sends it) and
 * what `ctx.http` takes. Payloads stay serialisable, so previews print them and the ledger can
 * persist them.
 */
import { InvalidHttpRequestError } from './errors.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const httpMethods: readonly HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export interface HttpRequest {
  /** Default: POST when there is a body, GET otherwise. */
  method?: HttpMethod;
  /** Absolute http: or https: URL. */
  url: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else is sent as JSON with `Content-Type: application/json`. */
  body?: unknown;
  /** Statuses that count as success (default: any 2xx), e.g. `[204]` for Bitbucket Server. */
  okStatuses?: number[];
}

export interface HttpResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The body as text (bounded, see `HttpCallOptions.maxBodyBytes`). */
  text: string;
  /** The body parsed as JSON; throws an error naming the request when it is not JSON. */
  json<T = unknown>(): T;
}

export interface HttpCallOptions {
  /** Aborts the request (the handler's or send's signal). */
  signal?: AbortSignal;
  /** Per-request timeout; default: the reporter's `delivery.timeoutMs`. */
  timeoutMs?: number;
  /** Largest body read; longer bodies are cut (default 4 MiB). */
  maxBodyBytes?: number;
}

/** Core's HTTP client, per reporter (its TLS settings and timeout): `ctx.http`. */
export interface HttpClient {
  /** Sends the request and returns the response whatever its status; throws on network failure or timeout. */
  request(request: HttpRequest, options?: HttpCallOptions): Promise<HttpResponse>;
  /**
   * Like `request`, but a status outside `okStatuses` (default 2xx) throws an `HttpError` carrying
   * the status, a redacted excerpt of the body and whether a retry can help.
   */
  send(request: HttpRequest, options?: HttpCallOptions): Promise<HttpResponse>;
}

/** Problems that make `value` not an HttpRequest (empty when it is one). */
export function httpRequestProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [`expected an object {method?, url, headers?, body?}, got ${describe(value)}`];
  const r = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof r.url !== 'string') problems.push(`url: expected a string, got ${describe(r.url)}`);
  else if (!/^https?:\/\//i.test(r.url) || !URL.canParse(r.url))
    problems.push('url: expected an absolute http: or https: URL');
  if (r.method !== undefined && !httpMethods.includes(r.method as HttpMethod))
    problems.push(`method: expected one of ${httpMethods.join(', ')}, got ${describe(r.method)}`);
  if (r.headers !== undefined) {
    if (typeof r.headers !== 'object' || r.headers === null || Array.isArray(r.headers))
      problems.push(`headers: expected an object of strings, got ${describe(r.headers)}`);
    else {
      for (const [name, v] of Object.entries(r.headers)) {
        if (!HEADER_NAME.test(name)) problems.push(`headers: "${name.slice(0, 40)}" is not a valid header name`);
        if (typeof v !== 'string') problems.push(`headers.${name}: expected a string, got ${describe(v)}`);
        // Event data in a header value must not start a second header or a body.
        else if (/[\r\n\0]/.test(v)) problems.push(`headers.${name}: contains a line break or NUL`);
      }
    }
  }
  if (r.body !== undefined && (r.method === 'GET' || r.method === 'HEAD'))
    problems.push(`body: a ${r.method} request cannot have one`);
  if (r.okStatuses !== undefined && !(Array.isArray(r.okStatuses) && r.okStatuses.every((s) => Number.isInteger(s))))
    problems.push('okStatuses: expected an array of integers');
  const known = new Set(['method', 'url', 'headers', 'body', 'okStatuses']);
  for (const key of Object.keys(r))
    if (!known.has(key)) problems.push(`unknown key "${key}" (allowed: ${[...known].join(', ')})`);
  return problems;
}

export function methodOf(request: HttpRequest): HttpMethod {
  return request.method ?? (request.body === undefined ? 'GET' : 'POST');
}

/** The body as sent, and the content type it implies when the request names none. */
export function encodeBody(body: unknown): { text?: string; contentType?: string } {
  if (body === undefined) return {};
  if (typeof body === 'string') return { text: body };
  let text: string;
  try {
    text = JSON.stringify(body);
  } catch (error) {
    // Too deep, circular, a BigInt: no retry can change that, so the delivery fails at once (and is recorded).
    throw new InvalidHttpRequestError(
      `the body cannot be serialised as JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return { text, contentType: 'application/json' };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value;
}
