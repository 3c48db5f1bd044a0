/**
 * Senders as the delivery queue sees them. Core's HTTP sender delivers for a plugin without
 * `send`, whose payloads are HttpRequests: the outcome's response is `{ status }`, a non-success
 * status throws a classified HttpError. A plugin's own `send` whose payloads are HTTP requests too
 * (OAuth added at send time, say) gets the same HTTP knowledge: rate limits hold the whole origin,
 * and the request's credentials are masked in outcome reasons. The queue itself knows no HTTP.
 */
import { payloadSecrets } from '../http/redact.js';
import { httpRequestProblems, type HttpClient, type HttpRequest } from '../http/request.js';
import type { QueuedDelivery, SendOptions } from '../plugin-api.js';
import type { Sender } from './deliveries.js';

/** What the queue asks of a sender whose payloads may be HTTP requests. */
const httpTraits = {
  /** Rate limits are per origin. */
  holdKey: (delivery: QueuedDelivery): string | undefined => {
    const url = (delivery.payload as { url?: unknown } | null)?.url;
    return typeof url === 'string' && URL.canParse(url) ? new URL(url).origin : undefined;
  },
  /** 429, and the 403 GitHub answers when a rate limit is exhausted (only failures that asked to wait get here). */
  holdsAll: (failure: unknown): boolean => {
    const status = (failure as { status?: unknown } | null)?.status;
    return status === 429 || status === 403;
  },
  secrets: (delivery: QueuedDelivery): readonly string[] => payloadSecrets(delivery.payload),
};

/** Core's sender for a reporter without `send`; `authorize` (the reporter's) adds its credentials at each attempt. */
export function httpSender(client: HttpClient, authorize?: (request: HttpRequest) => HttpRequest): Sender {
  const send = async (delivery: QueuedDelivery, options: SendOptions): Promise<{ status: number }> => {
    const request = delivery.payload as HttpRequest;
    const response = await client.send(authorize ? authorize(request) : request, { signal: options.signal });
    return { status: response.status };
  };
  return Object.assign(send, httpTraits, {
    // Checked before any attempt and in dry runs: a payload that is no request fails at once, retries cannot fix it.
    preflight: (delivery: QueuedDelivery) => {
      const problems = httpRequestProblems(delivery.payload);
      return problems.length
        ? `the reporter has no send(), so its payload must describe an HTTP request: ${problems.join('; ')}`
        : undefined;
    },
  });
}

/** A plugin's `send`, with the HTTP knowledge for payloads that are requests (other payloads have no url and no credential headers). */
export function pluginSender(send: (delivery: QueuedDelivery, options: SendOptions) => unknown): Sender {
  return Object.assign((delivery: QueuedDelivery, options: SendOptions) => send(delivery, options), httpTraits);
}
