/**
 * Core's HTTP sender: delivers for a plugin without `send`, whose payloads are HttpRequests.
 * The outcome's response is `{ status }`; a non-success status throws a classified HttpError.
 */
import type { Sender } from './queue.js';
import type { QueuedDelivery, SendOptions } from '../plugin-api.js';
import { httpRequestProblems, type HttpClient, type HttpRequest } from '../http/request.js';

export function httpSender(client: HttpClient): Sender {
  const send = async (delivery: QueuedDelivery, options: SendOptions): Promise<{ status: number }> => {
    const response = await client.send(delivery.payload as HttpRequest, { signal: options.signal });
    return { status: response.status };
  };
  return Object.assign(send, {
    // Checked before any attempt and in dry runs: a payload that is no request fails at once, retries cannot fix it.
    preflight: (delivery: QueuedDelivery) => {
      const problems = httpRequestProblems(delivery.payload);
      return problems.length ? `the reporter has no send(), so its payload must describe an HTTP request: ${problems.join('; ')}` : undefined;
    },
  });
}
