/**
 * GitLab project ids (gitlab.md §3): the `source_project_id` property when a merge request comes
 * from a fork, else `GET /api/v4/projects/<url-encoded path>`, once per repository.
 */
import {
  encodedPath,
  urlUnder,
  isHttpError,
  parseRepositoryUrl,
  type HttpClient,
  type Logger,
} from '@bbreporters/core';

/** The project's full path (`group/sub/project`) from a repository URL in any form, or undefined. */
export function projectPath(repository: string): string | undefined {
  return repository ? parseRepositoryUrl(repository)?.path : undefined;
}

export class ProjectIds {
  /** Project path → id; a lookup in flight is shared, a failed one is forgotten. */
  private readonly ids = new Map<string, Promise<number | string | undefined>>();

  constructor(
    private readonly http: HttpClient,
    private readonly apiURL: string,
    private readonly token: string,
    private readonly logger: Logger,
  ) {}

  /**
   * The id to post to for the project at `path`: its number; undefined when GitLab does not know
   * the project (logged as Buildbot does). When GitLab cannot be asked now, the path itself (GitLab
   * takes it, URL-encoded, in place of the id), so the status is still sent and retried by core.
   */
  idOf(path: string, signal: AbortSignal): Promise<number | string | undefined> {
    let id = this.ids.get(path);
    if (!id) {
      id = this.lookup(path, signal);
      this.ids.set(path, id);
      void id.then((found) => (typeof found !== 'number' ? this.ids.delete(path) : undefined));
    }
    return id;
  }

  private async lookup(path: string, signal: AbortSignal): Promise<number | string | undefined> {
    const encoded = encodeURIComponent(path); // as Buildbot's log lines name the project
    try {
      const response = await this.http.send(
        {
          method: 'GET',
          url: urlUnder(this.apiURL, encodedPath`/projects/${path}`),
          headers: { 'PRIVATE-TOKEN': this.token },
        },
        { signal },
      );
      const id = response.json<{ id?: unknown }>().id;
      if (typeof id === 'number') return id;
      this.logger.error(`Unknown (or hidden) gitlab project${encoded}: the answer has no id`);
      return undefined;
    } catch (error) {
      if (isHttpError(error) && !error.retryable) {
        this.logger.error(`Unknown (or hidden) gitlab project${encoded}: ${messageOf(error.bodyExcerpt)}`);
        return undefined;
      }
      this.logger.warn(
        { err: error },
        `could not look up gitlab project ${encoded}; posting to the project path instead`,
      );
      return path;
    }
  }
}

/** GitLab's JSON `message`, else the text, else Buildbot's "unspecified error". */
function messageOf(excerpt: string): string {
  try {
    const message = (JSON.parse(excerpt) as { message?: unknown }).message;
    if (message !== undefined) return typeof message === 'string' ? message : JSON.stringify(message);
  } catch {
    // not JSON: the text itself
  }
  return excerpt || 'unspecified error';
}
