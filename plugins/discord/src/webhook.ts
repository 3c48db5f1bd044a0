/**
 * One Discord webhook: creates messages (`POST …?wait=true`, which answers with the message, so
 * its id can be kept and an unsaved message is an error) and edits them (`PATCH …/messages/{id}`).
 * Discord's rate limits are honoured as its docs ask: a 429's `retry_after` (float seconds) is the
 * wait before the retry, and a bucket whose `X-RateLimit-Remaining` is 0 is left alone for
 * `X-RateLimit-Reset-After` seconds before the next request.
 */
import { cutText, HttpError, type HttpClient, type Logger } from '@bbreporters/core';
import type { APIMessage, RESTRateLimit } from 'discord-api-types/v10';
import type { MessageBody } from './message.js';

/** The webhook's id (not secret: the token is) from its URL. */
export function webhookId(url: string): string {
  return /\/webhooks\/([^/]+)\//.exec(url)?.[1] ?? 'webhook';
}

export class Webhook {
  private readonly base: string;
  /** No request to the webhook's bucket before this time (ms since the epoch). */
  private quietUntil = 0;

  constructor(
    webhookUrl: string,
    private readonly threadId: string | undefined,
    private readonly http: HttpClient,
    private readonly logger: Logger,
  ) {
    this.base = webhookUrl.replace(/\/+$/, '');
  }

  /** Posts a message; resolves with its id. */
  async create(body: MessageBody & { username?: string; avatar_url?: string }, signal: AbortSignal): Promise<string> {
    const message = await this.call('POST', `${this.base}?${this.query(true)}`, body, signal);
    return message.id;
  }

  /** Edits a message this webhook posted. */
  async edit(messageId: string, body: MessageBody, signal: AbortSignal): Promise<void> {
    const query = this.query(false);
    await this.call('PATCH', `${this.base}/messages/${messageId}${query ? `?${query}` : ''}`, body, signal);
  }

  private query(wait: boolean): string {
    const params = new URLSearchParams();
    if (wait) params.set('wait', 'true');
    if (this.threadId) params.set('thread_id', this.threadId);
    return params.toString();
  }

  private async call(method: 'POST' | 'PATCH', url: string, body: unknown, signal: AbortSignal): Promise<APIMessage> {
    await this.untilQuietEnds(signal);
    const response = await this.http.request({ method, url, body }, { signal });
    const headers = response.headers;
    const resetAfter = Number(headers['x-ratelimit-reset-after']);
    if (headers['x-ratelimit-remaining']?.trim() === '0' && Number.isFinite(resetAfter))
      this.quietUntil = Date.now() + resetAfter * 1000;
    if (response.status >= 200 && response.status < 300) return response.json<APIMessage>();
    // Only a 429 says how long to wait; other answers keep core's classification (5xx retried, 4xx final),
    // and Discord's rate-limit headers on them must not turn a 401/403 into a retry (they count toward a ban).
    const hint: Record<string, string> = {};
    if (response.status === 429) {
      const limit = this.rateLimit(response.text);
      const seconds = limit?.retry_after ?? (Number(headers['retry-after']) || resetAfter);
      if (Number.isFinite(seconds)) hint['retry-after'] = String(seconds);
      if (limit?.global || headers['x-ratelimit-global'] === 'true')
        this.logger.warn({ retryAfterS: seconds }, 'Discord: global rate limit reached');
    }
    const shown = url.replace(this.base, '<webhook_url>');
    throw new HttpError(method, shown, response.status, '', cutText(response.text.replace(/\s+/g, ' '), 300), hint);
  }

  private rateLimit(text: string): RESTRateLimit | undefined {
    try {
      const body = JSON.parse(text) as RESTRateLimit;
      return typeof body.retry_after === 'number' ? body : undefined;
    } catch {
      return undefined;
    }
  }

  private async untilQuietEnds(signal: AbortSignal): Promise<void> {
    const wait = this.quietUntil - Date.now();
    if (wait <= 0) return;
    this.logger.debug({ waitMs: wait }, 'Discord: rate-limit bucket empty, waiting for its reset');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(done, wait);
      function done() {
        signal.removeEventListener('abort', abort);
        resolve();
      }
      function abort() {
        clearTimeout(timer);
        reject(signal.reason as Error);
      }
      signal.addEventListener('abort', abort, { once: true });
    });
  }
}
