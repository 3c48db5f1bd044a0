/**
 * Owner and repository of a Bitbucket Cloud source stamp (bitbucket.md §5): any URL form, or the
 * API's own `…/2.0/repositories/OWNER/REPO`; exactly OWNER/REPO.
 */
import { parseRepositoryUrl } from '@bbreporters/core';

export function ownerAndRepo(repository: string, baseURL: string): { owner: string; repo: string } | undefined {
  const prefix = URL.canParse(baseURL) ? new URL(baseURL).pathname : undefined;
  const parsed = parseRepositoryUrl(repository, prefix ? { stripPrefix: prefix } : {});
  if (!parsed || parsed.owner.includes('/')) return undefined;
  return { owner: parsed.owner, repo: parsed.repo };
}
