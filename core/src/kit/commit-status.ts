/**
 * What every commit-status reporter (GitHub, GitLab, Bitbucket, Bitbucket Server, Gitea) asks of
 * a build: the source stamps it reports (one status per source stamp with a revision), the link
 * to the build, and its base URL without trailing slashes.
 */
import { buildUrl } from './build-url.js';
import type { BuildPayload, SourceStamp } from '../events/events.js';
import { redactUrl } from '../http/redact.js';

/** The build's source stamps that name a commit; a stamp without revision (forced or nightly builds) gets no status. */
export function sourceStampsWithRevision(build: BuildPayload): Array<SourceStamp & { revision: string }> {
  return (build.buildset?.sourcestamps ?? []).filter(
    (ss): ss is SourceStamp & { revision: string } => typeof ss.revision === 'string' && ss.revision !== '',
  );
}

/** The build's page: the event's `url`, else built from the config's buildbotURL (undefined without either). */
export function buildLink(build: BuildPayload, buildbotURL?: string): string | undefined {
  return build.url ?? (buildbotURL ? buildUrl(buildbotURL, build) : undefined);
}

/** `https://host/api/` → `https://host/api`: endpoints are appended with a leading `/`. */
export function withoutTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/** A source stamp as a skip reason names it: its repository (a password in it masked), else its id. */
export function describeStamp(stamp: Pick<SourceStamp, 'ssid' | 'repository'>): string {
  if (!stamp.repository) return `source stamp ${stamp.ssid} (no repository)`;
  // scp-like `git@host:owner/repo` is no URL and carries no password.
  const shown = URL.canParse(stamp.repository) ? redactUrl(stamp.repository) : stamp.repository;
  return `source stamp ${shown}`;
}
