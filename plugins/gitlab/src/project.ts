/**
 * GitLab project ids (gitlab.md §3): the `source_project_id` property when a merge request comes
 * from a fork, else `GET /api/v4/projects/<url-encoded path>`, once per repository.
 */
import { isHttpError, parseRepositoryUrl, type HttpClient, type Logger, type SourceStamp } from '@bbreporters/core';

/** The project's full path (`group/sub/project`) from a repository URL in any form, or undefined. */
export function projectPath(repository: string): string | undefined {
  return repository ? parseRepositoryUrl(repository)?.path : undefined;
}

export class ProjectIds {
  /** URL-encoded path → id; a lookup in flight is shared, a failed one is forgotten. */
  private readonly ids = new Map<string, Promise<number | string | undefined>>();

  constructor(
    private readonly http: HttpClient,
    private readonly apiURL: string,
    private readonly token: string,
    private readonly logger: Logger,
  ) {}

  /**
   * The id to post to: the project's number; undefined when GitLab does not know the project
   * (logged as Buildbot does). When GitLab cannot be asked now, the encoded path itself (GitLab
   * takes it in place of the id), so the status is still sent and retried by core.
   */
  idOf(stamp: Pick<SourceStamp, 'repository'>, signal: AbortSignal): Promise<number | string | undefined> | undefined {
    const path = projectPath(stamp.repository);
    if (!path) return undefined;
    const encoded = encodeURIComponent(path);
    let id = this.ids.get(encoded);
    if (!id) {
      id = this.lookup(encoded, signal);
      this.ids.set(encoded, id);
      void id.then((found) => (typeof found !== 'number' ? this.ids.delete(encoded) : undefined));
    }
    return id;
  }

  private async lookup(encoded: string, signal: AbortSignal): Promise<number | string | undefined> {
    try {
      const response = await this.http.send({ method: 'GET', url: `${this.apiURL}/projects/${encoded}`, headers: { 'PRIVATE-TOKEN': this.token } }, { signal });
      const id = response.json<{ id?: unknown }>().id;
      if (typeof id === 'number') return id;
      this.logger.error(`Unknown (or hidden) gitlab project${encoded}: the answer has no id`);
      return undefined;
    } catch (error) {
      if (isHttpError(error) && !error.retryable) {
        this.logger.error(`Unknown (or hidden) gitlab project${encoded}: ${messageOf(error.bodyExcerpt)}`);
        return undefined;
      }
      this.logger.warn({ err: error }, `could not look up gitlab project ${encoded}; posting to the project path instead`);
      return encoded;
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
