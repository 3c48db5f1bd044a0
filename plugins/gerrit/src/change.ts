/**
 * Which Gerrit change a build belongs to, from its properties (Buildbot's sendCodeReviews):
 * repo builds name their downloads in `repo_downloads` / `repo_downloaded`, git builds carry the
 * Gerrit event's `event.change.*` and `event.patchSet.*`. A build with neither was not triggered
 * by Gerrit and gets no review.
 */
import { isCommitId, type BuildPayload } from '@bbreporters/core';

export interface GerritChange {
  project: string;
  /** The commit reviewed (what `gerrit review` is given). */
  revision: string;
  /** Change and patch set numbers, when the properties tell them. */
  change?: string;
  patchset?: string;
  /** Change-Id and branch (the REST identifier when the number is unknown). */
  changeId?: string;
  branch?: string;
}

export type ChangesFound = { changes: GerritChange[] } | { changes: []; reason: string };

function prop(build: BuildPayload, name: string): unknown {
  const sourced = build.properties?.[name];
  return Array.isArray(sourced) ? sourced[0] : undefined;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/** The changes to review for `build` (v0.9–v1.8: one per downloaded repo project). */
export function changesOf(build: BuildPayload): ChangesFound {
  const downloads = prop(build, 'repo_downloads');
  const downloaded = prop(build, 'repo_downloaded');
  if (downloads !== undefined && downloaded !== undefined) return repoChanges(downloads, downloaded);
  if (prop(build, 'event.change.id') !== undefined) return gitChange(build);
  return { changes: [], reason: 'the build has no Gerrit properties (event.change.id or repo_downloads)' };
}

function repoChanges(downloads: unknown, downloaded: unknown): ChangesFound {
  if (!Array.isArray(downloads) || typeof downloaded !== 'string') {
    return { changes: [], reason: 'repo_downloads must be a list and repo_downloaded a string' };
  }
  const words = downloaded.split(' ');
  if (words.length !== 2 * downloads.length) {
    return {
      changes: [],
      reason: `repo_downloaded has ${words.length} entries, expected 2 per repo_downloads entry (${downloads.length})`,
    };
  }
  const changes: GerritChange[] = [];
  for (const [i, entry] of downloads.entries()) {
    const [project, changePatchset, ...rest] = typeof entry === 'string' ? entry.split(' ') : [];
    if (!project || !changePatchset || rest.length)
      return { changes: [], reason: `repo_downloads[${i}] is not "<project> <change>/<patchset>"` };
    const unsafe = projectProblem(project);
    if (unsafe) return { changes: [], reason: unsafe };
    if (changePatchset !== words[2 * i])
      return {
        changes: [],
        reason: `repo_downloads[${i}] names ${changePatchset} but repo_downloaded names ${words[2 * i]}`,
      };
    const revision = words[2 * i + 1];
    if (!isCommitId(revision))
      return { changes: [], reason: `repo_downloaded revision ${JSON.stringify(revision)} is not a commit id` };
    const [change, patchset] = changePatchset.split('/');
    changes.push({ project, revision, ...(change ? { change } : {}), ...(patchset ? { patchset } : {}) });
  }
  return { changes };
}

function gitChange(build: BuildPayload): ChangesFound {
  const project = text(prop(build, 'event.change.project'));
  let revision: unknown =
    text(prop(build, 'event.patchSet.revision')) ?? prop(build, 'got_revision') ?? prop(build, 'revision');
  if (typeof revision === 'object' && revision !== null) {
    // Multi-codebase builds: got_revision is {codebase: sha}.
    const codebase = text(prop(build, 'codebase'));
    revision = codebase === undefined ? undefined : (revision as Record<string, unknown>)[codebase];
  }
  if (!project) return { changes: [], reason: 'event.change.project is missing' };
  const unsafe = projectProblem(project);
  if (unsafe) return { changes: [], reason: unsafe };
  if (typeof revision !== 'string' || revision === '')
    return { changes: [], reason: 'no revision (event.patchSet.revision, got_revision or revision)' };
  if (!isCommitId(revision))
    return { changes: [], reason: `revision ${JSON.stringify(revision.slice(0, 80))} is not a commit id` };
  const change = text(prop(build, 'event.change.number'));
  const patchset = text(prop(build, 'event.patchSet.number'));
  const changeId = text(prop(build, 'event.change.id'));
  const branch = text(prop(build, 'event.change.branch'));
  return {
    changes: [
      {
        project,
        revision,
        ...(change ? { change } : {}),
        ...(patchset ? { patchset } : {}),
        ...(changeId ? { changeId } : {}),
        ...(branch ? { branch } : {}),
      },
    ],
  };
}

/**
 * Why a project name from event data cannot go on `gerrit review`'s command line: a leading `-`
 * would be read as an option (`--submit`), a leading `@` as "the contents of this file". Anything
 * else is safe: every value is its own quoted word. Undefined when it can.
 */
export function projectProblem(project: string): string | undefined {
  if (/^[-@]/.test(project))
    return `project ${JSON.stringify(project.slice(0, 80))} starts with "-" or "@", which Gerrit's command line reads as an option or a file`;
  return undefined;
}

/** The delivery target: reviews of one change and patch set are posted in order. */
export function targetOf(change: GerritChange): string {
  return change.change && change.patchset
    ? `gerrit:${change.change},${change.patchset}`
    : `gerrit:${change.project}@${change.revision}`;
}
