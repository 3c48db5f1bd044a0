/**
 * A build's messages on a chat service that returns message ids: the start is posted and its id
 * kept (MessageRefs), the finish edits that message (or is posted when there is none, or the
 * service refuses the edit), and an optional reply carries the result into the started message's
 * thread. Slack and Mattermost give only their calls; the flow lives here once.
 */
import type { MessageRefs } from './message-refs.js';

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
