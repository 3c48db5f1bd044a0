/**
 * The texts the bot announces: Buildbot 1.x's words (plain IRC, no Markdown), with its bugs
 * fixed: cancelled builds are coloured, useRevisions and showBlameList really work.
 */
import { Results, resultTitle, revisionsOf, type BuildPayload, type ChatWords, type Worker } from '@bbreporters/core';
import { colourFor } from './colors.js';
import { stripControl } from './text.js';

export interface MessageStyle {
  useColors: boolean;
  useRevisions: boolean;
  showBlameList: boolean;
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

/** This bot's words for core's chat engine. */
export function chatWords(style: MessageStyle): ChatWords {
  return {
    started: (build) => startedMessage(build, style),
    finished: (build) => finishedMessage(build, style),
    workerMissing: workerMissingMessage,
  };
}
