/**
 * A webhook whose URL is the credential (Teams Workflows' `sig=`, Slack and Discord tokens in the
 * path): a queued request carries only the URL's origin and a mask, so the ledger, logs and
 * `bbreporters preview` never hold the secret; `authorize` puts the real URL back at each attempt.
 * The origin stays, so a rate limit still holds that service's deliveries only.
 */
import { MASK } from '../diagnostics/mask.js';
import type { HttpRequest } from '../http/request.js';

/** `https://host/********`: what a queued request to the webhook `url` shows. */
export function maskedWebhookUrl(url: string): string {
  return `${new URL(url).origin}/${MASK}`;
}

/** An `authorize` handler that sends each request to the webhook `url` itself. */
export function toWebhook(url: string): (request: HttpRequest) => HttpRequest {
  return (request) => ({ ...request, url });
}
