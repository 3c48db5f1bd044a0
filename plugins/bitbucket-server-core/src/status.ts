/**
 * One build status of Bitbucket Server's core REST API (stash.md §4):
 * `POST <base_url>/rest/api/1.0/projects/<key>/repos/<slug>/commits/<sha>/builds`, every key
 * present (null when unknown), as Buildbot sends it.
 */
import { encodedPath, parseRepositoryUrl, urlUnder, type HttpRequest, type SourceStamp } from '@bbreporters/core';

export interface TestResults {
  failed: number;
  skipped: number;
  successful: number;
}

export interface CoreBuildStatus {
  name: string;
  description: string | null;
  key: string;
  url: string | null;
  ref: string | null;
  buildNumber: string;
  state: 'INPROGRESS' | 'SUCCESSFUL' | 'FAILED';
  parent: string;
  duration: number | null;
  testResults: TestResults | null;
}

/** A repository as the core API names it. */
export interface ProjectRepo {
  projectKey: string;
  repoSlug: string;
}

/**
 * The last two path segments of the stamp's repository, in any clone URL form (https
 * `/scm/PRJ/repo.git`, ssh, scp-like): Buildbot's `^.*?/([^/]+)/([^/]+?)(?:\.git)?$`. Undefined
 * when it names no two segments.
 */
export function projectRepoOf(stamp: Pick<SourceStamp, 'repository'>): ProjectRepo | undefined {
  const parsed = stamp.repository ? parseRepositoryUrl(stamp.repository) : undefined;
  if (!parsed) return undefined;
  return { projectKey: parsed.owner.split('/').pop()!, repoSlug: parsed.repo };
}

export function coreStatusRequest(
  baseURL: string,
  repo: ProjectRepo,
  sha: string,
  status: CoreBuildStatus,
): HttpRequest {
  return {
    method: 'POST',
    url: urlUnder(
      baseURL,
      encodedPath`/rest/api/1.0/projects/${repo.projectKey}/repos/${repo.repoSlug}/commits/${sha}/builds`,
    ),
    // No credentials: the reporter's authorize() adds them when the request is sent.
    headers: { 'Content-Type': 'application/json' },
    body: status,
  };
}
