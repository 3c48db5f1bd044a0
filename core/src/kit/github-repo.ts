/**
 * Which GitHub repository a source stamp belongs to (github.md §4.1, Buildbot HEAD): a `project`
 * written `owner/name` wins, else the repository URL in any form (https, ssh, scp-like, .git).
 * Shared by @bbreporters/github (statuses) and @bbreporters/github-comment (PR comments).
 */
import type { SourceStamp } from '../events/events.js';
import { parseRepositoryUrl } from './repo-url.js';

export interface GitHubRepo {
  owner: string;
  repo: string;
}

export function githubRepoOf(stamp: Pick<SourceStamp, 'project' | 'repository'>): GitHubRepo | undefined {
  const slash = stamp.project?.indexOf('/') ?? -1;
  if (slash > 0 && slash < stamp.project.length - 1)
    return { owner: stamp.project.slice(0, slash), repo: stamp.project.slice(slash + 1) };
  const parsed = stamp.repository ? parseRepositoryUrl(stamp.repository) : undefined;
  return parsed ? { owner: parsed.owner, repo: parsed.repo } : undefined;
}
