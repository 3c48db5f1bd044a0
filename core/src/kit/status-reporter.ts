/**
 * The commit-status reporter (GitHub, GitLab, Bitbucket, Bitbucket Server) written once: when a
 * build starts and when it finishes, one status per source stamp that names a commit, delivered
 * as one request to a target per repository, commit and key. A plugin gives only what differs:
 * its state table, its templates, where a stamp's status goes and the request that sets it.
 */
import type { BuildPayload, SourceStamp } from '../events/events.js';
import type { HttpRequest } from '../http/request.js';
import type { EventHandlers, HandlerOptions, MessageFormatter, PluginContext } from '../plugin-api.js';
import { buildLink, describeStamp, sourceStampsWithRevision } from './commit-status.js';
import { stateFor, type StateTable } from './states.js';
import { isCommitId } from './encoded-path.js';
import { isInvalidHttpRequestError } from '../http/errors.js';
import { defined } from '../lang/defined.js';

export type RevisionStamp = SourceStamp & { revision: string };

/**
 * The status templates (ejs). An absent or empty name or description gives none: a plugin writes
 * `option || default` where Buildbot takes a falsy option for the default, `option ?? default`
 * where an empty option means none.
 */
export interface StatusTexts {
  /** What tells this status apart on a commit: GitHub's context, GitLab's name, Bitbucket's key. */
  key: string;
  /** A display name besides the key (Bitbucket's name, Bitbucket Server's statusName). */
  name?: string;
  /** The description when the build starts. */
  start?: string;
  /** The description when the build finishes. */
  end?: string;
}

/** Buildbot's `context`, `startDescription` and `endDescription` (GitHub, GitLab, Gitea): a falsy one means the default. */
export function contextTexts(options: {
  context?: string;
  startDescription?: string;
  endDescription?: string;
}): StatusTexts {
  return {
    key: options.context || 'buildbot/<%= buildername %>',
    start: options.startDescription || 'Build started.',
    end: options.endDescription || 'Build done.',
  };
}

/** One build's status, rendered; the same for every stamp of the build. */
export interface RenderedStatus<S extends string = string> {
  state: S;
  key: string;
  name?: string;
  description?: string;
  /** The build's page, when the event or the config gives one. */
  url?: string;
}

/** Where a stamp's status goes, as the plugin needs it to build the request. */
export interface StatusLocation {
  /** The repository as the delivery target names it, e.g. `acme/widgets`. */
  repository: string;
  /** The commit the status goes on when it is not the stamp's revision (Gitea: a pull request's head commit in the fork). */
  revision?: string;
}

export interface CommitStatusSpec<S extends string, L extends StatusLocation> {
  /** The targets' first word: `github` → `github:acme/widgets@<sha>:<key>`. */
  service: string;
  states: StateTable<S>;
  texts: StatusTexts;
  /** The key as the service takes it (Bitbucket hashes long keys); default: the rendered text. */
  keyOf?: (rendered: string) => string;
  /** Where the stamp's status goes; undefined skips the stamp (the plugin says why with `ctx.skip`). May ask the service (GitLab's project id). */
  locate(
    stamp: RevisionStamp,
    context: { build: BuildPayload; signal: AbortSignal },
  ): L | undefined | Promise<L | undefined>;
  /**
   * The request that sets `status` on the stamp's commit: its URL is `urlUnder(base, encodedPath`...`)`,
   * so event data can neither add dot segments nor leave the configured base (either throws, and the
   * stamp is skipped with a warning).
   */
  request(
    location: L,
    stamp: RevisionStamp,
    status: RenderedStatus<S>,
    // The whole build, for a service whose status carries more of it (Bitbucket Server's core API: ref, duration, test results).
    context: { build: BuildPayload },
  ): HttpRequest | Promise<HttpRequest>;
  /** Buildbot's log line for a stamp that names no commit, at the start of its skip reason (Bitbucket Server: "Unable to get the commit hash"). */
  withoutRevisionText?: string;
}

export type CommitStatusHandlers = Required<Pick<EventHandlers, 'buildStarted' | 'buildFinished'>>;

/** The delivery target of one status: a newer state of it supersedes an older one still waiting. */
export function commitStatusTarget(service: string, repository: string, revision: string, key: string): string {
  return `${service}:${repository}@${revision}:${key}`;
}

/** The `buildStarted` and `buildFinished` handlers of a commit-status reporter; core logs each delivery's outcome. */
export function commitStatusHandlers<S extends string, L extends StatusLocation>(
  ctx: Pick<PluginContext, 'formatter' | 'deliver' | 'config' | 'skip'>,
  spec: CommitStatusSpec<S, L>,
): CommitStatusHandlers {
  const key = ctx.formatter.create({ template: spec.texts.key });
  const template = (text: string | undefined) => (text ? ctx.formatter.create({ template: text }) : undefined);
  const texts = { name: template(spec.texts.name), start: template(spec.texts.start), end: template(spec.texts.end) };
  const keyOf = spec.keyOf ?? ((rendered: string) => rendered);

  async function render(build: BuildPayload, when: 'start' | 'end'): Promise<RenderedStatus<S>> {
    const text = async (formatter: MessageFormatter | undefined) =>
      formatter && (await formatter.formatBuild(build)).body;
    const name = await text(texts.name);
    const description = await text(texts[when]);
    const url = buildLink(build, ctx.config.buildbotURL);
    return {
      state: stateFor(spec.states, build),
      key: keyOf((await key.formatBuild(build)).body),
      ...defined({ name, description }),
      ...(url ? { url } : {}),
    };
  }

  async function report(build: BuildPayload, when: 'start' | 'end', { signal }: HandlerOptions): Promise<void> {
    const allStamps = build.buildset?.sourcestamps ?? [];
    if (allStamps.length === 0) ctx.skip('the build has no source stamp: no commit to set a status on');
    for (const stamp of allStamps) if (!stamp.revision) ctx.skip(withoutRevision(stamp));
    const stamps = sourceStampsWithRevision(build);
    if (stamps.length === 0) return;
    const status = await render(build, when);
    for (const stamp of stamps) {
      // Event data is hostile: a revision that is no commit id, or a repository that would move the
      // request (and the reporter's credentials) off the configured API, gets no status.
      const refuse = (why: string) => ctx.skip(`Skipped status update: ${describeStamp(stamp)}: ${why}`);
      if (!isCommitId(stamp.revision)) {
        refuse('the revision is not a commit id (4 to 64 hex digits)');
        continue;
      }
      try {
        const location = await spec.locate(stamp, { build, signal });
        if (!location) continue;
        const revision = location.revision ?? stamp.revision;
        if (!isCommitId(revision)) {
          refuse(`the commit ${JSON.stringify(revision)} is not a commit id (4 to 64 hex digits)`);
          continue;
        }
        const payload = await spec.request(location, { ...stamp, revision }, status, { build });
        ctx.deliver({
          target: commitStatusTarget(spec.service, location.repository, revision, status.key),
          payload,
        });
      } catch (error) {
        if (!isInvalidHttpRequestError(error)) throw error;
        refuse(error.message);
      }
    }
  }

  function withoutRevision(stamp: SourceStamp): string {
    const why = `${describeStamp(stamp)} names no commit (empty revision: a forced or periodic build), so it gets no status`;
    return spec.withoutRevisionText ? `${spec.withoutRevisionText}: ${why}` : why;
  }

  return {
    buildStarted: ({ payload }, options) => report(payload, 'start', options),
    buildFinished: ({ payload }, options) => report(payload, 'end', options),
  };
}
