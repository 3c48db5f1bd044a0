/** Credentials as request headers, written once for every reporter that sends them. */

/** `Authorization: Basic …` for HTTP Basic auth (RFC 7617, UTF-8). */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
