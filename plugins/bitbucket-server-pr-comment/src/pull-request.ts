/**
 * The pull request a build's `pullrequesturl` property names (stash.md §3), as the comment API
 * addresses it. The property is event data, so hostile: only a URL on the configured server's
 * host, under its context path, of the form `…/projects/<key>/repos/<slug>/pull-requests/<id>`,
 * names one; anything else (another host, dot segments) gets no request and so never the
 * reporter's credentials.
 */
import { encodedPath, redactUrl, urlUnder, type HttpRequest } from '@bbreporters/core';

export interface PullRequest {
  projectKey: string;
  repoSlug: string;
  id: number;
}

/** `.` or `..` (also percent-encoded) as a path segment, before a URL parser resolves it away. */
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:[/?#]|$)/i;
const PR_PATH = /^(.*)\/projects\/([^/]+)\/repos\/([^/]+)\/pull-requests\/(\d+)\/?$/;

/** The pull request, or why `url` names none on the server at `baseURL`. */
export function pullRequestOf(url: string, baseURL: string): PullRequest | { refused: string } {
  const shown = URL.canParse(url) ? redactUrl(url) : JSON.stringify(url);
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) return { refused: `pullrequesturl ${shown} is no http(s) URL` };
  if (DOT_SEGMENT.test(url.replace(/^[a-z]+:\/\/[^/]*/i, '')))
    return { refused: `pullrequesturl ${shown} has "." or ".." path segments` };
  const pr = new URL(url);
  const base = new URL(baseURL);
  if (pr.hostname !== base.hostname)
    return { refused: `pullrequesturl ${shown} is not on the configured base_url's host ${base.hostname}` };
  const match = PR_PATH.exec(pr.pathname);
  const contextPath = base.pathname.replace(/\/+$/, '');
  if (!match || match[1] !== contextPath)
    return {
      refused: `pullrequesturl ${shown} is not ${base.origin}${contextPath}/projects/<key>/repos/<slug>/pull-requests/<id>`,
    };
  return { projectKey: decodeURIComponent(match[2]), repoSlug: decodeURIComponent(match[3]), id: Number(match[4]) };
}

/** `POST <base_url>/rest/api/1.0/projects/<key>/repos/<slug>/pull-requests/<id>/comments` with `{"text": …}`. */
export function commentRequest(baseURL: string, pr: PullRequest, text: string): HttpRequest {
  return {
    method: 'POST',
    url: urlUnder(
      baseURL,
      encodedPath`/rest/api/1.0/projects/${pr.projectKey}/repos/${pr.repoSlug}/pull-requests/${pr.id}/comments`,
    ),
    // No credentials: the reporter's authorize() adds them when the request is sent.
    headers: { 'Content-Type': 'application/json' },
    body: { text },
  };
}
