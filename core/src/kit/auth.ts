/** Credentials as request headers, written once for every reporter that sends them. */
import type { HttpRequest } from '../http/request.js';

/** `Authorization: Basic …` for HTTP Basic auth (RFC 7617, UTF-8). */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** `request` with `headers` added (or replaced): what an `authorize` handler returns. */
export function withHeaders(request: HttpRequest, headers: Record<string, string>): HttpRequest {
  return { ...request, headers: { ...request.headers, ...headers } };
}
