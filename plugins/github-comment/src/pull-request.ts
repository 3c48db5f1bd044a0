/**
 * Which pull request a build is for (github.md §4.3): Buildbot HEAD reads the `branch` property
 * (`refs/pull/<n>/head` or `refs/pull/<n>/merge`); a change hook that names the pull request's
 * page instead (`pullrequesturl`, e.g. https://github.com/acme/widgets/pull/7) is read too.
 */
import { propertyValue, type BuildPayload } from '@bbreporters/core';

const PULL_REF = /refs\/pull\/([0-9]+)\/(?:head|merge)/;
const PULL_PAGE = /\/pulls?\/([0-9]+)\/?(?:[?#].*)?$/;

export function pullRequestNumber(build: BuildPayload): number | undefined {
  const branch = propertyValue(build, 'branch');
  const fromBranch = typeof branch === 'string' ? PULL_REF.exec(branch) : null;
  if (fromBranch) return Number(fromBranch[1]);
  const page = propertyValue(build, 'pullrequesturl');
  const fromPage = typeof page === 'string' ? PULL_PAGE.exec(page) : null;
  return fromPage ? Number(fromPage[1]) : undefined;
}
