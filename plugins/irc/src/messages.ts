/**
 * The texts the bot announces: Buildbot 1.x's words (plain IRC, no Markdown), with its bugs
 * fixed: cancelled builds are coloured, useRevisions and showBlameList really work.
 */
import { Results, type BuildPayload, type Worker } from '@bbreporters/core';
import { colourFor } from './colors.js';
import { stripControl } from './text.js';

export interface MessageStyle {
  useColors: boolean;
  useRevisions: boolean;
  showBlameList: boolean;
}

const resultTitles = ['Success', 'Warnings', 'Failure', 'Skipped', 'Exception', 'Retry', 'Cancelled'];

/** `Success`, `Failure`, … (`??` for an unknown code), as Buildbot's IRC bot names results. */
export function resultTitle(results: number | null | undefined): string {
  if (results === null || results === undefined) return 'not finished';
  return resultTitles[results] ?? '??';
}

/** Revisions of the build's source stamps (or changes), hashes shortened to 7 characters. */
export function revisionsOf(build: BuildPayload): string[] {
  const found = [
    ...(build.buildset?.sourcestamps ?? []).map((s) => s.revision),
    ...(build.changes ?? []).map((c) => c.revision),
  ];
  const short = found
    .filter((r): r is string => typeof r === 'string' && r.length > 0)
    .map((r) => (/^[0-9a-f]{8,}$/i.test(r) ? r.slice(0, 7) : r));
  return [...new Set(short)];
}

/** `#12`, or `containing revisions [a87b2c4]` with useRevisions when the build has revisions. */
function buildLabel(build: BuildPayload, style: MessageStyle): string {
  const revisions = style.useRevisions ? revisionsOf(build) : [];
  if (revisions.length === 0) return `#${build.number}`;
  return `containing revision${revisions.length > 1 ? 's' : ''} [${revisions.join(', ')}]`;
}

export function startedMessage(build: BuildPayload, style: MessageStyle): string {
  return stripControl(`build ${buildLabel(build, style)} of ${build.builder.name} started`);
}

export function finishedMessage(build: BuildPayload, style: MessageStyle): string {
  const result = colourFor(build.results, resultTitle(build.results), style.useColors);
  let text = `Build ${build.builder.name} ${buildLabel(build, style)} is complete: ${result} [${build.state_string}]`;
  if (build.url) text += ` - ${build.url}`;
  const failed = build.results === Results.FAILURE || build.results === Results.EXCEPTION;
  if (style.showBlameList && failed && build.blamelist?.length) text += ` - blamelist: ${build.blamelist.join(', ')}`;
  return stripControl(text);
}

export function workerMissingMessage(worker: Worker & { last_connection?: string }): string {
  return stripControl(
    `Worker ${worker.name} is missing. It was seen last on ${worker.last_connection ?? 'an unknown date'}.`,
  );
}

/** How long ago, as Buildbot 1.x says it: `42 seconds`, `3m05s`, `2h03m05s`. */
export function ago(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} seconds`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m${String(s % 60).padStart(2, '0')}s`;
}
