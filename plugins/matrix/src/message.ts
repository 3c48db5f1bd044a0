/**
 * A build as the content of an `m.room.message`: a plain `body` and an HTML `formatted_body`
 * (`org.matrix.custom.html`) with a conservative tag set (p, b, i, code, a, ul/li, br, font with color and
 * `data-mx-color`). Every piece of event data is HTML-escaped and cut here, and each text stays
 * under a byte budget, so an edit (four texts) stays well under the 64 KiB a Matrix event may have.
 */
import { buildSummary, cutText, cutUtf8, type BuildPayload, type FormattedMessage } from '@bbreporters/core';

export type MessageType = 'm.notice' | 'm.text';

/** The content of one `m.room.message`, as the homeserver receives it. */
export interface MessageContent {
  msgtype: MessageType;
  body: string;
  format: 'org.matrix.custom.html';
  formatted_body: string;
  /** Empty: the message mentions nobody, so `@room` in a builder name pings nobody (intentional mentions, spec v1.7). */
  'm.mentions': Record<string, never>;
}

/** The content that replaces the message `eventId` (spec "Event replacements"): fallback text outside, the new message in `m.new_content`. */
export interface ReplacementContent extends MessageContent {
  'm.new_content': MessageContent;
  'm.relates_to': { rel_type: 'm.replace'; event_id: string };
}

/** Bytes for `body` and for `formatted_body`: an edit carries both twice, 4 × 15 000 + JSON < 65 536. */
export const MAX_TEXT_BYTES = 15_000;
/** Characters of one name (builder, user, step, branch) in a message. */
const MAX_NAME_CHARS = 200;
/** Names listed in one line (blamelist, failing steps, sources) before "and N more". */
const MAX_NAMES = 20;

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text (event data) as HTML text or attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

const name = (text: string) => cutText(text, MAX_NAME_CHARS);

function names(list: readonly string[]): string[] {
  const shown = list.slice(0, MAX_NAMES).map(name);
  return list.length > MAX_NAMES ? [...shown, `and ${list.length - MAX_NAMES} more`] : shown;
}

/** Only an http(s) URL becomes a link: a `javascript:` build URL stays text. */
const isWebUrl = (url: string) => /^https?:\/\//i.test(url) && URL.canParse(url);

/** The default message for a build: the result with its emoji and colour, builder, state, blamelist, failing steps, sources, link. */
export function summaryContent(build: BuildPayload, msgtype: MessageType): MessageContent {
  const s = buildSummary(build);
  const title = `Build #${s.number} of ${name(s.builder)} ${s.statusText}`;
  const lines: Array<[label: string, values: string[], code: boolean]> = [
    ['Builder', [name(s.builder)], false],
    ['Blamelist', names(s.blamelist), false],
    ['Failing steps', names(s.failingSteps), true],
    ['Sources', names(s.sources), true],
  ];
  const shown = lines.filter(([, values]) => values.length > 0);
  const detail = s.detail ? name(s.detail) : undefined;
  const url = s.url && isWebUrl(s.url) ? s.url : undefined;

  const text = [
    `${s.emoji} ${title}`,
    ...(detail ? [detail] : []),
    ...shown.map(([label, values]) => `${label}: ${values.join(', ')}`),
    ...(s.url ? [s.url] : []),
  ].join('\n');

  const item = (value: string, code: boolean) => (code ? `<code>${escapeHtml(value)}</code>` : escapeHtml(value));
  const html = [
    `<p>${s.emoji} <b><font color="${s.colour}" data-mx-color="${s.colour}">${escapeHtml(title)}</font></b></p>`,
    ...(detail ? [`<p><i>${escapeHtml(detail)}</i></p>`] : []),
    shown.length
      ? `<ul>${shown.map(([label, values, code]) => `<li><b>${label}:</b> ${values.map((v) => item(v, code)).join(', ')}</li>`).join('')}</ul>`
      : '',
    url ? `<p><a href="${escapeHtml(url)}">View build #${s.number}</a></p>` : '',
  ].join('');
  return content(msgtype, text, html);
}

/** A message formatter's output: HTML as the HTML body (its text as fallback), plain text escaped with line breaks. */
export function formattedContent(message: FormattedMessage, msgtype: MessageType): MessageContent {
  if (message.type === 'html') return content(msgtype, htmlToText(message.body), message.body);
  return content(msgtype, message.body, textToHtml(message.body));
}

/** `body` and `formatted_body` within MAX_TEXT_BYTES; an HTML body too long to cut safely becomes the cut text, escaped. */
function content(msgtype: MessageType, text: string, html: string): MessageContent {
  const body = cutUtf8(text, MAX_TEXT_BYTES);
  const fitting = Buffer.byteLength(html, 'utf8') <= MAX_TEXT_BYTES ? html : undefined;
  // Escaping grows text at most fivefold (& → &amp;): cut it to a fifth, so the HTML fits too.
  const formatted_body = fitting ?? textToHtml(cutUtf8(text, Math.floor(MAX_TEXT_BYTES / 5)));
  return { msgtype, body, format: 'org.matrix.custom.html', formatted_body, 'm.mentions': {} };
}

function textToHtml(text: string): string {
  return escapeHtml(text).replace(/\r?\n/g, '<br>');
}

/** The text of a formatter's HTML for the plain fallback: line breaks for <br>, </p>, </li>, </tr>; tags dropped; the five entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>|<\/(?:p|div|li|tr|h[1-6])>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The edit that turns the message `eventId` into `next`: `* ` marks the fallback as an edit, as clients do. */
export function replacement(next: MessageContent, eventId: string): ReplacementContent {
  return {
    ...next,
    body: `* ${next.body}`,
    formatted_body: `* ${next.formatted_body}`,
    'm.new_content': next,
    'm.relates_to': { rel_type: 'm.replace', event_id: eventId },
  };
}
