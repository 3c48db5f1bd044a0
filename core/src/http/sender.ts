/**
 * Core's HTTP sender: delivers for a plugin without `send`, whose payloads are HttpRequests.
 * The outcome's response is `{ status }`; a non-success status throws a classified HttpError.
 */
import type { QueuedDelivery, SendOptions } from '../plugin-api.js';
import { httpRequestProblems, type HttpClient, type HttpRequest } from './request.js';

/** A payload that is not a request fails at once: a retry cannot fix it. */
export class InvalidHttpPayloadError extends Error {
  override readonly name = 'InvalidHttpPayloadError';
  readonly retryable = false;
}

export function httpSender(client: HttpClient) {
  return async (delivery: QueuedDelivery, options: SendOptions): Promise<{ status: number }> => {
    const problems = httpRequestProblems(delivery.payload);
    if (problems.length) {
      throw new InvalidHttpPayloadError(`the reporter has no send(), so its payload must describe an HTTP request: ${problems.join('; ')}`);
    }
    const response = await client.send(delivery.payload as HttpRequest, { signal: options.signal });
    return { status: response.status };
  };
}
