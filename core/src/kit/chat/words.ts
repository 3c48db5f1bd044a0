/**
 * Words every chat bot uses about builds: result titles, how long ago, the revisions built
 * (Buildbot 1.x's words bot texts, shared by the IRC and Telegram front ends).
 */
import type { BuildPayload } from '../../events/events.js';

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

/** How long ago, as Buildbot 1.x says it: `42 seconds`, `3m05s`, `2h03m05s`. */
export function ago(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} seconds`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m${String(s % 60).padStart(2, '0')}s`;
}
