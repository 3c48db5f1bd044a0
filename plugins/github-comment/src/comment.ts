/** One GitHub pull-request comment as the request core sends (github.md §5.2): POST /repos/{owner}/{repo}/issues/{n}/comments. */
import { cutText, encodedPath, urlUnder, type GitHubRepo, type HttpRequest } from '@bbreporters/core';

/** GitHub refuses a longer comment body (a GitHub limit; Buildbot does not cut). */
export const COMMENT_LIMIT = 65536;

export function commentRequest(baseURL: string, repo: GitHubRepo, issue: number, body: string): HttpRequest {
  return {
    method: 'POST',
    url: urlUnder(baseURL, encodedPath`/repos/${repo.owner}/${repo.repo}/issues/${issue}/comments`),
    // No credentials: the reporter's authorize() adds them when the request is sent.
    headers: { 'User-Agent': 'Buildbot', 'Content-Type': 'application/json' },
    body: { body: cutText(body, COMMENT_LIMIT) },
  };
}

/** The delivery target: one per pull request, so its comments arrive in order. */
export function commentTarget(repo: GitHubRepo, issue: number): string {
  return `github-comment:${repo.owner}/${repo.repo}#${issue}`;
}
