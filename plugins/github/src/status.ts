/** One GitHub commit status as the request core sends (github.md §5.1): POST /repos/{owner}/{repo}/statuses/{sha}. */
import {
  cutText,
  commitStatusTarget,
  encodedPath,
  urlUnder,
  type GitHubRepo,
  type HttpRequest,
  defined,
} from '@bbreporters/core';

/** GitHub refuses a description longer than this (a GitHub limit; Buildbot does not cut). */
export const DESCRIPTION_LIMIT = 140;

export interface CommitStatus {
  state: 'pending' | 'success' | 'failure' | 'error';
  target_url?: string;
  description?: string;
  context: string;
}

/** `text` cut to `limit` characters (code points), the last one an ellipsis when cut. */
export function cutDescription(text: string, limit = DESCRIPTION_LIMIT): string {
  return cutText(text, limit);
}

export function statusRequest(baseURL: string, repo: GitHubRepo, sha: string, status: CommitStatus): HttpRequest {
  const body: CommitStatus = {
    state: status.state,
    ...defined({ target_url: status.target_url }),
    ...(status.description !== undefined ? { description: cutDescription(status.description) } : {}),
    context: status.context,
  };
  return {
    method: 'POST',
    url: urlUnder(baseURL, encodedPath`/repos/${repo.owner}/${repo.repo}/statuses/${sha}`),
    // No credentials: the reporter's authorize() adds them when the request is sent.
    headers: { 'User-Agent': 'Buildbot', 'Content-Type': 'application/json' },
    body,
  };
}

/** The delivery target: one per status context of a commit, so a newer state supersedes an older one still waiting. */
export function statusTarget(repo: GitHubRepo, sha: string, context: string): string {
  return commitStatusTarget('github', `${repo.owner}/${repo.repo}`, sha, context);
}
