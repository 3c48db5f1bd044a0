/**
 * What the bot announces, in Telegram's HTML parse mode: Buildbot HEAD's words
 * (``Build #12 of `runtests` failed: failed compile``) with a result emoji and a link. Event data is
 * HTML-escaped where it is put in (Buildbot used legacy Markdown, which cannot be escaped, so a
 * builder named `*_[` broke its messages).
 */
import { buildSummary, cutText, revisionsOf, type BuildPayload, type ChatWords, type Worker } from '@bbreporters/core';

/** Telegram's limit for one message's text (characters after entities are parsed). */
export const MAX_MESSAGE_LENGTH = 4096;
/** Event data inside a message is cut to this, so the whole message stays under the limit. */
const MAX_PART = 1000;

export interface MessageStyle {
  useRevisions: boolean;
  showBlameList: boolean;
}

/** Escapes text for HTML parse mode (`&`, `<`, `>`; quotes too, for attribute values). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

const part = (text: string) => escapeHtml(cutText(text, MAX_PART));

/** `#12` linked to the build, or `containing revision [a87b2c4]` with useRevisions. */
function buildLabel(build: BuildPayload, style: MessageStyle): string {
  const revisions = style.useRevisions ? revisionsOf(build) : [];
  const label =
    revisions.length === 0
      ? `#${build.number}`
      : `containing revision${revisions.length > 1 ? 's' : ''} [${revisions.join(', ')}]`;
  // Only web links: a URL from event data must not become a tg:// or javascript: link.
  return build.url && /^https?:\/\//i.test(build.url)
    ? `<a href="${escapeHtml(build.url)}">${part(label)}</a>`
    : part(label);
}

export function startedMessage(build: BuildPayload, style: MessageStyle): string {
  const s = buildSummary(build);
  return `${s.emoji} Build ${buildLabel(build, style)} of <code>${part(s.builder)}</code> started.`;
}

export function finishedMessage(build: BuildPayload, style: MessageStyle): string {
  const s = buildSummary(build);
  let text = `${s.emoji} Build ${buildLabel(build, style)} of <code>${part(s.builder)}</code> ${s.statusText}`;
  text += s.detail ? `: ${part(s.detail)}` : '.';
  const failed = s.status === 'failure' || s.status === 'exception';
  if (style.showBlameList && failed && s.blamelist.length) text += `\nBlamelist: ${part(s.blamelist.join(', '))}`;
  return text;
}

export function workerMissingMessage(worker: Worker & { last_connection?: string }): string {
  return `⚠️ Worker <code>${part(worker.name)}</code> is missing. It was seen last on ${part(worker.last_connection ?? 'an unknown date')}.`;
}

/** This bot's words for core's chat engine. */
export function chatWords(style: MessageStyle): ChatWords {
  return {
    started: (build) => startedMessage(build, style),
    finished: (build) => finishedMessage(build, style),
    workerMissing: workerMissingMessage,
  };
}
