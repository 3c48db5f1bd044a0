/**
 * The Pushover message of a notification, as Buildbot's PushoverNotifier builds it: `message`,
 * `title` (the subject), `html=1` for an html formatter, `priority` from `priorities` by status
 * key (none when the status has no entry), then `otherParams`. The user key and the API token are
 * not in it: they are added at each attempt (see `send` in index.ts).
 */
import {
  cutText,
  formRequest,
  urlUnder,
  type FormFields,
  type HttpRequest,
  type PushNotification,
} from '@bbreporters/core';
import type { PushoverOptions } from './generated/options.js';

export const DEFAULT_BASE_URL = 'https://api.pushover.net';
/** Pushover refuses a longer message (its API limits; Apprise's body_maxlen). */
export const MAX_MESSAGE_CHARS = 1024;

export function messageRequest(notification: PushNotification, options: PushoverOptions): HttpRequest {
  const priority = notification.status === undefined ? undefined : options.priorities?.[notification.status];
  const fields: FormFields = {
    message: cutText(notification.message, MAX_MESSAGE_CHARS),
    title: notification.title,
    ...(notification.html ? { html: 1 } : {}),
    ...(priority === undefined ? {} : { priority }),
    ...options.otherParams,
  };
  return formRequest(urlUnder(options.base_url ?? DEFAULT_BASE_URL, '/1/messages.json'), fields);
}
