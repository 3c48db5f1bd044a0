/**
 * The requests of the Bitbucket Server reporters against Bitbucket Data Center's published REST
 * API description (Atlassian's OpenAPI document, as TypeScript types in @coderabbitai/bitbucket):
 * `npm run typecheck:tests` fails when a body names a field the API does not have, or has one of
 * another type. The runtime half checks that the paths are the described ones (`/rest/api/latest`
 * and `/rest/api/1.0` are the same API).
 */
import type { paths } from '@coderabbitai/bitbucket/server/openapi';
import { coreStatusRequest, type CoreBuildStatus } from '@bbreporters/bitbucket-server-core';
import { commentRequest } from '@bbreporters/bitbucket-server-pr-comment';
import { describe, expect, it } from 'vitest';

const BUILDS = '/api/latest/projects/{projectKey}/repos/{repositorySlug}/commits/{commitId}/builds';
const COMMENTS = '/api/latest/projects/{projectKey}/repos/{repositorySlug}/pull-requests/{pullRequestId}/comments';
/** The request body of the path's POST, whatever its media type (the builds endpoint declares any type). */
type JsonBody<P extends keyof paths> = paths[P] extends { post: { requestBody?: { content: infer C } } }
  ? C[keyof C]
  : never;

/** Buildbot sends null for an unknown field; the description marks such fields optional. */
type Sent<T> = { [K in keyof T]: NonNullable<T[K]> };
type NoExtraKeys<T, Api> = [Exclude<keyof T, keyof Api>] extends [never] ? true : Exclude<keyof T, keyof Api>;

const buildStatusFits: (status: Sent<CoreBuildStatus>) => JsonBody<typeof BUILDS> = (status) => status;
const buildStatusKeys: NoExtraKeys<CoreBuildStatus, JsonBody<typeof BUILDS>> = true;
const commentFits: (body: { text: string }) => JsonBody<typeof COMMENTS> = (body) => body;

/** `/rest/api/1.0/x` as the description writes it: `/api/latest/x` with `{name}` placeholders. */
const described = (url: string, names: string[]) =>
  new URL(url).pathname
    .replace('/rest/api/1.0/', '/api/latest/')
    .split('/')
    .map((s, i, all) =>
      ['projects', 'repos', 'commits', 'pull-requests'].includes(all[i - 1]) ? `{${names.shift()}}` : s,
    )
    .join('/');

describe('Bitbucket Server requests match the published REST API description', () => {
  it('the build status and the comment go to the described paths', () => {
    expect([buildStatusFits, buildStatusKeys, commentFits]).toBeTruthy();
    const status = coreStatusRequest(
      'https://bb',
      { projectKey: 'PRJ', repoSlug: 'repo' },
      'abcd',
      {} as CoreBuildStatus,
    );
    expect(described(status.url, ['projectKey', 'repositorySlug', 'commitId'])).toBe(BUILDS);
    const comment = commentRequest('https://bb', { projectKey: 'PRJ', repoSlug: 'repo', id: 3 }, 'hi');
    expect(described(comment.url, ['projectKey', 'repositorySlug', 'pullRequestId'])).toBe(COMMENTS);
  });
});
