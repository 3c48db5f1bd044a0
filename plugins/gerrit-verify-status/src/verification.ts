/**
 * One verification as the request core sends (gerrit.md §B.3): POST
 * /a/changes/{change}/revisions/{revision}/verify-status~verifications (the /a/ prefix asks Gerrit
 * for authentication). The body is the plugin's VerifyInput, `{verifications: {<name>: {…}}}`:
 * Buildbot posts the fields flat, which the plugin refuses ("Missing verifications field", a 400
 * Buildbot never looks at).
 */
import { encodedPath, urlUnder, type HttpRequest } from '@bbreporters/core';
import type { VerifiedChange } from './changes.js';

/** One job's result as the verify-status plugin takes it (Buildbot never sends `rerun`). */
export interface Verification {
  /** 1 pass, 0 unstable or running, -1 fail. */
  value: number;
  abstain: boolean;
  comment?: string;
  url?: string;
  reporter: string;
  category?: string;
  /** `pending` at start, then the build's duration (`2h 1m 4s`); none when the event lacks the times. */
  duration?: string;
}

/** The plugin's VerifyInput: results by job name. */
export interface VerifyInput {
  verifications: Record<string, Verification>;
}

export function verificationRequest(
  baseURL: string,
  change: VerifiedChange,
  name: string,
  verification: Verification,
): HttpRequest {
  const body: VerifyInput = { verifications: { [name]: verification } };
  return {
    method: 'POST',
    url: urlUnder(
      baseURL,
      encodedPath`/a/changes/${change.change_id}/revisions/${change.revision_id}/verify-status~verifications`,
    ),
    // No credentials: the reporter's authorize() adds them when the request is sent.
    headers: { 'Content-Type': 'application/json' },
    body,
  };
}

/** The delivery target: one per verification name of a patch set, so a newer value supersedes an older one still waiting. */
export function verificationTarget(change: VerifiedChange, name: string): string {
  return `gerrit-verify-status:${change.change_id}/${change.revision_id}:${name}`;
}

/**
 * Buildbot's formatDuration: `<m>m <s>s`, `<h>h <m>m <s>s`, or `<d> day[s] <h>h <m>m <s>s`
 * (Gerrit takes any string here).
 */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (days) return `${days} day${days > 1 ? 's' : ''} ${hours}h ${minutes}m ${rest}s`;
  if (hours) return `${hours}h ${minutes}m ${rest}s`;
  return `${minutes}m ${rest}s`;
}
