/**
 * Where a Gitea status goes (gitea.md §3). A pull-request build (property `pr_id`, set by the
 * buildbot-gitea change hook) reports to the head repository's commit, in the fork; any other
 * build to its own repository: the hook's `owner`/`repository_name` properties, else the
 * repository URL.
 */
import { parseRepositoryUrl, propertyValue, type BuildPayload, type SourceStamp } from '@bbreporters/core';

export interface GiteaRepo {
  owner: string;
  repo: string;
  /** The commit to set the status on when it is not the stamp's revision (a pull request's head). */
  revision?: string;
}

/** The result: the repository, or the reason it cannot be named. */
export type GiteaLocation = { found: GiteaRepo } | { missing: string };

export function isPullRequestBuild(build: BuildPayload): boolean {
  const id = propertyValue(build, 'pr_id');
  return id !== undefined && id !== null && id !== '';
}

export function giteaRepoOf(build: BuildPayload, stamp: Pick<SourceStamp, 'repository'>): GiteaLocation {
  if (isPullRequestBuild(build)) {
    const [owner, repo, revision] = ['head_owner', 'head_reponame', 'head_sha'].map((name) =>
      text(propertyValue(build, name)),
    );
    if (!owner || !repo || !revision)
      return { missing: 'a pull-request build (pr_id) needs the head_owner, head_reponame and head_sha properties' };
    return { found: { owner, repo, revision } };
  }
  const parsed = stamp.repository ? parseRepositoryUrl(stamp.repository) : undefined;
  const repo = text(propertyValue(build, 'repository_name')) ?? parsed?.repo;
  if (!repo) return { missing: 'Could not send status, build has no repository_name property for Gitea.' };
  const owner = giteaOwner(propertyValue(build, 'owner')) ?? parsed?.owner;
  if (!owner) return { missing: 'Could not send status, build has no owner property for Gitea.' };
  return { found: { owner, repo } };
}

/**
 * The change hook's `owner` is a Gitea account; Buildbot core uses the same property for the
 * person who asked for a build (`Dora <dora@example.org>`), which names no repository owner.
 */
function giteaOwner(value: unknown): string | undefined {
  const owner = text(value);
  return owner && !/[@\s]/.test(owner) ? owner : undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
