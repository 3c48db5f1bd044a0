/**
 * Bitbucket Cloud's OAuth2 client-credentials token (bitbucket.md §2), cached until shortly
 * before it expires; one request at a time asks for it. `invalidate` drops a token Bitbucket
 * refused, so the next `get` fetches a fresh one.
 */
import { basicAuthorization, isHttpError, type HttpClient, type Logger } from '@bbreporters/core';

/** Refresh this long before Bitbucket says the token expires (clocks and requests in flight). */
const EXPIRY_MARGIN_MS = 60_000;
/** When the answer gives no `expires_in` (Bitbucket's tokens last two hours). */
const DEFAULT_LIFETIME_S = 3600;

interface Cached {
  token: string;
  expiresAt: number;
}

export class OAuthTokens {
  private cached?: Cached;
  private pending?: Promise<string>;

  constructor(
    private readonly http: HttpClient,
    private readonly settings: { oauthURL: string; key: string; secret: string },
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  get(signal: AbortSignal): Promise<string> {
    if (this.cached && this.now() < this.cached.expiresAt) return Promise.resolve(this.cached.token);
    this.pending ??= this.fetch(signal).finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Forgets `token` (Bitbucket answered 401 with it); a newer token is kept. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async fetch(signal: AbortSignal): Promise<string> {
    try {
      const response = await this.http.send(
        {
          method: 'POST',
          url: this.settings.oauthURL,
          headers: {
            Authorization: basicAuthorization(this.settings.key, this.settings.secret),
            'Content-Type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials',
        },
        { signal },
      );
      const answer = response.json<{ access_token?: unknown; expires_in?: unknown }>();
      if (typeof answer.access_token !== 'string' || !answer.access_token)
        throw Object.assign(
          new Error(`${response.status}: unable to authenticate to Bitbucket: the answer has no access_token`),
          { retryable: false },
        );
      const lifetime =
        typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : DEFAULT_LIFETIME_S;
      this.cached = {
        token: answer.access_token,
        expiresAt: this.now() + Math.max(0, lifetime * 1000 - EXPIRY_MARGIN_MS),
      };
      return answer.access_token;
    } catch (error) {
      if (isHttpError(error))
        this.logger.error(`${error.status}: unable to authenticate to Bitbucket ${error.bodyExcerpt}`);
      throw error;
    }
  }
}
