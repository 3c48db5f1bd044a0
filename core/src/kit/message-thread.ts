/**
 * A build's messages on a chat service that returns message ids: the start is posted and its id
 * kept (MessageRefs), the finish edits that message (or is posted when there is none, or the
 * service refuses the edit), and an optional reply carries the result into the started message's
 * thread. Slack and Mattermost give only their calls; the flow lives here once.
 */
import type { BuildPayload } from '../events/events.js';
import type { HttpClient, HttpRequest } from '../http/request.js';
import type { QueuedDelivery, ReporterHandlers } from '../plugin-api.js';
import type { MessageRefs } from './message-refs.js';
import { toWebhook } from './webhook-url.js';

export type ThreadStep = 'start' | 'finish' | 'reply';

/** What a queued message is in its build's thread. */
export interface ThreadPlace {
  build: number;
  step: ThreadStep;
}

export interface ThreadCalls {
  /** Posts the message (into the thread of `parent` when given) and returns its id. */
  post(parent?: string): Promise<string | undefined>;
  /** Replaces message `ref`; false when the service refuses (message deleted, too old): it is posted anew. */
  edit(ref: string): Promise<boolean>;
}

export interface ThreadResult {
  action: 'posted' | 'edited' | 'replied' | 'skipped';
  ref?: string;
}

/** Sends one message of a build's thread; `replies`: a reply follows the finish (keep the id until then). */
export async function sendInThread(
  refs: MessageRefs,
  target: string,
  place: ThreadPlace,
  calls: ThreadCalls,
  replies: boolean,
): Promise<ThreadResult> {
  const started = refs.get(target, place.build);
  if (place.step === 'start') {
    const ref = await calls.post();
    if (ref) await refs.set(target, place.build, ref);
    return { action: 'posted', ref };
  }
  if (place.step === 'reply') {
    if (!started) return { action: 'skipped' };
    const ref = await calls.post(started);
    await refs.delete(target, place.build);
    return { action: 'replied', ref };
  }
  if (started) {
    if (await calls.edit(started)) {
      if (!replies) await refs.delete(target, place.build);
      return { action: 'edited', ref: started };
    }
    // No reply into a thread whose parent could not be edited: the result stands on its own.
    await refs.delete(target, place.build);
  }
  return { action: 'posted', ref: await calls.post() };
}

export interface ThreadedReporter<M> {
  /** The message for a build (the formatter's text, or the rich default). */
  render(build: BuildPayload): Promise<M>;
  /** Queues one message of the build's thread (supersede false: every message arrives, in order). */
  deliver(build: BuildPayload, message: M, step: ThreadStep): void;
  /** Bot-token mode: messages are threaded and sent by `sendThreaded`; otherwise they go to `webhook`. */
  threaded: boolean;
  /** Threaded mode: the result is also replied in the started message's thread. */
  replies: boolean;
  sendThreaded(delivery: QueuedDelivery, signal: AbortSignal): Promise<unknown>;
  /** The incoming-webhook URL (a secret as a whole): queued requests carry it masked. */
  webhook?: string;
  http: HttpClient;
}

/** The handlers of a chat reporter with a bot-token API and an incoming webhook (Slack, Mattermost). */
export function threadedReporterHandlers<M>(
  reporter: ThreadedReporter<M>,
): Required<Pick<ReporterHandlers, 'buildStarted' | 'buildFinished' | 'send'>> {
  return {
    buildStarted: async ({ payload }) => reporter.deliver(payload, await reporter.render(payload), 'start'),
    buildFinished: async ({ payload }) => {
      const message = await reporter.render(payload);
      reporter.deliver(payload, message, 'finish');
      if (reporter.threaded && reporter.replies) reporter.deliver(payload, message, 'reply');
    },
    send: async (delivery, { signal }) => {
      if (reporter.threaded) return reporter.sendThreaded(delivery, signal);
      // The webhook URL replaces its masked form only here, at each attempt.
      const response = await reporter.http.send(toWebhook(reporter.webhook!)(delivery.payload as HttpRequest), {
        signal,
      });
      return { status: response.status };
    },
  };
}
