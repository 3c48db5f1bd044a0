/**
 * What a chat message says about a build, before any channel's markup: the status in words, a
 * colour and an emoji by result, the builder, the link, who is to blame and which steps failed.
 * Slack, Discord, Teams, Matrix and Mattermost render this one summary their own way, so a build
 * reads the same wherever it is announced.
 */
import type { BuildPayload } from '../events/events.js';
import { Results } from '../events/results.js';
import { responsibleUsers } from './blamelist.js';

export interface BuildSummary {
  /** `started`, or the result name: `success`, `failure`, … (`finished` for an unknown code). */
  status: string;
  /** Buildbot's HEAD words for the status: `started`, `completed successfully`, `failed`, … */
  statusText: string;
  /** `#rrggbb` by result (grey while running). */
  colour: string;
  emoji: string;
  /** `Build #12 of runtests failed`: plain text, no markup. */
  title: string;
  builder: string;
  number: number;
  url?: string;
  /** The build's state string (`failed compile`), when it adds something to the status. */
  detail?: string;
  blamelist: string[];
  /** Names of the steps that failed or ended in an exception, in order (needs `steps`). */
  failingSteps: string[];
  /** Branches and short revisions of the build's source stamps (`main@0123abc`). */
  sources: string[];
}

export interface ResultLook {
  status: string;
  statusText: string;
  colour: string;
  emoji: string;
}

const running: ResultLook = { status: 'started', statusText: 'started', colour: '#9e9e9e', emoji: '🔄' };

/** Buildbot's HEAD chat words per result (irc.md §5.3), with the colours and emoji chat services show. */
const looks: Readonly<Record<number, ResultLook>> = {
  [Results.SUCCESS]: { status: 'success', statusText: 'completed successfully', colour: '#2eb886', emoji: '✅' },
  [Results.WARNINGS]: { status: 'warnings', statusText: 'completed with warnings', colour: '#daa038', emoji: '⚠️' },
  [Results.FAILURE]: { status: 'failure', statusText: 'failed', colour: '#d50200', emoji: '❌' },
  [Results.SKIPPED]: { status: 'skipped', statusText: 'was skipped', colour: '#4a90d9', emoji: '⏭️' },
  [Results.EXCEPTION]: { status: 'exception', statusText: 'stopped with exception', colour: '#a020f0', emoji: '‼️' },
  [Results.RETRY]: { status: 'retry', statusText: 'has been retried', colour: '#4a90d9', emoji: '🔁' },
  [Results.CANCELLED]: { status: 'cancelled', statusText: 'was cancelled', colour: '#9e9e9e', emoji: '🚫' },
};
const unknown: ResultLook = { status: 'finished', statusText: 'finished', colour: '#9e9e9e', emoji: '❔' };

const failed = new Set<number | null>([Results.FAILURE, Results.EXCEPTION]);

/** The words, colour and emoji of a result; a build not complete is `started`. */
export function resultLook(results: number | null | undefined, complete = true): ResultLook {
  return !complete ? running : (looks[results ?? -1] ?? unknown);
}

export function buildSummary(build: BuildPayload): BuildSummary {
  const look = resultLook(build.results, build.complete);
  const detail =
    build.complete && build.results !== Results.SUCCESS && build.state_string ? build.state_string : undefined;
  const sources = (build.buildset?.sourcestamps ?? []).flatMap((s) => {
    const revision = s.revision ? (/^[0-9a-f]{8,}$/i.test(s.revision) ? s.revision.slice(0, 7) : s.revision) : '';
    const label = [s.branch ?? '', revision].filter(Boolean).join('@');
    return label ? [label] : [];
  });
  return {
    ...look,
    title: `Build #${build.number} of ${build.builder.name} ${look.statusText}`,
    builder: build.builder.name,
    number: build.number,
    ...(build.url ? { url: build.url } : {}),
    ...(detail ? { detail } : {}),
    blamelist: responsibleUsers(build),
    failingSteps: (build.steps ?? []).filter((s) => failed.has(s.results)).map((s) => s.name),
    sources,
  };
}
