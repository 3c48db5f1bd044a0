/**
 * Slack's Web API answers HTTP 200 with `{"ok": false, "error": "…"}` for what went wrong, so a
 * delivery reads the body, not only the status. Which errors another try can fix follows Slack's
 * method docs; the rest are final (a bad token, a missing channel, an invalid block).
 */
export interface WebApiAnswer {
  ok: boolean;
  error?: string;
  channel?: string;
  ts?: string;
}

/** Slack says these are temporary. `fatal_error` is not among them: the message may have been posted. */
const transient = new Set(['ratelimited', 'internal_error', 'service_unavailable', 'request_timeout']);

/** The started message is gone or cannot be edited any more: the result is posted as a new message. */
export const editRefused = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

export function webApiError(method: string, answer: WebApiAnswer): Error {
  const error = answer.error ?? 'unknown_error';
  return Object.assign(new Error(`Slack ${method} answered ok:false, error ${error}`), {
    retryable: transient.has(error),
  });
}
