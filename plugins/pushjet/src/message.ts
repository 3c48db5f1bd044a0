/**
 * The Pushjet message of a notification, as Buildbot's PushjetNotifier builds it:
 * `POST <base_url>/message` with form fields `message`, `title` (the subject) and `level` from
 * `levels` by status key (none when the status has no entry). The secret is not in it: the
 * reporter's `authorize` adds it at each attempt.
 */
import { formRequest, urlUnder, type FormFields, type HttpRequest, type PushNotification } from '@bbreporters/core';
import type { PushjetOptions } from './generated/options.js';

export const DEFAULT_BASE_URL = 'https://api.pushjet.io';

export function messageRequest(notification: PushNotification, options: PushjetOptions): HttpRequest {
  const level = notification.status === undefined ? undefined : options.levels?.[notification.status];
  const fields: FormFields = {
    message: notification.message,
    title: notification.title,
    ...(level === undefined ? {} : { level }),
  };
  return formRequest(urlUnder(options.base_url ?? DEFAULT_BASE_URL, '/message'), fields);
}
