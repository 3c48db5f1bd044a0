/**
 * The REST form of a review, for a Gerrit without SSH: `POST /a/changes/{id}/revisions/{rev}/review`
 * (the /a/ prefix asks for authentication) with HTTP Basic auth and a ReviewInput body. The
 * request is the delivery's payload; core's HTTP sender sends and retries it.
 */
import type { GerritChange } from './change.js';
import type { CheckedReview } from './review.js';
import { TAG } from './ssh-command.js';

/** Core's HttpRequest shape (what core's HTTP sender sends). */
export interface ReviewRequest {
  method: 'POST';
  url: string;
  body: { message?: string; labels?: Record<string, number>; tag: string; notify?: string };
}

/** Where reviews go; the credentials are not here: the reporter's authorize() adds them when the request is sent. */
export interface RestSettings {
  baseURL: string;
  notify?: string;
}

/** Gerrit's change identifier: project~number, else project~branch~Change-Id, else the commit. */
export function changeIdentifier(change: GerritChange): string {
  const project = encodeURIComponent(change.project);
  if (change.change && /^\d+$/.test(change.change)) return `${project}~${change.change}`;
  if (change.changeId && change.branch)
    return `${project}~${encodeURIComponent(change.branch)}~${encodeURIComponent(change.changeId)}`;
  return change.revision;
}

export function reviewRequest(settings: RestSettings, change: GerritChange, review: CheckedReview): ReviewRequest {
  const base = settings.baseURL.replace(/\/+$/, '');
  return {
    method: 'POST',
    url: `${base}/a/changes/${changeIdentifier(change)}/revisions/${change.revision}/review`,
    body: {
      ...(review.message ? { message: review.message } : {}),
      ...(review.labels.length ? { labels: Object.fromEntries(review.labels) } : {}),
      tag: TAG,
      ...(settings.notify ? { notify: settings.notify } : {}),
    },
  };
}
