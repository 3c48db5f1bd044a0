/**
 * The Adaptive Card Teams shows for a build, and the Workflows envelope around it: core's build
 * summary (title with emoji, status colour, builder, blamelist, failing steps, sources, a link)
 * or, with a message formatter, its text under the title. The whole request body stays within
 * the 28 KB Teams accepts (it answers 413 above): the free text is cut first, then the lists.
 */
import { cutText, type BuildSummary } from '@bbreporters/core';
import { literal } from './markdown.js';

/** Teams' limit for a webhook message, all elements included ("about 28 KB": 28,000 UTF-8 bytes, the safe reading). */
export const MAX_BODY_BYTES = 28_000;
/** One fact or text block longer than this is cut anyway: a card is read, not scrolled. */
const MAX_FIELD_CHARS = 2000;
/** Names listed in a fact before "and N more". */
const MAX_LIST_ITEMS = 20;

export type CardVersion = '1.4' | '1.5';

export interface TeamsMessage {
  type: 'message';
  attachments: Array<{
    contentType: 'application/vnd.microsoft.card.adaptive';
    contentUrl: null;
    content: AdaptiveCard;
  }>;
}

export interface AdaptiveCard {
  $schema: string;
  type: 'AdaptiveCard';
  version: CardVersion;
  body: Array<Record<string, unknown>>;
  actions?: Array<Record<string, unknown>>;
  msteams: { width: 'Full' };
}

/** Teams' named colours and container styles (cards take no hex colours). */
const looks: Record<string, { color: string; style: string }> = {
  success: { color: 'Good', style: 'good' },
  warnings: { color: 'Warning', style: 'warning' },
  failure: { color: 'Attention', style: 'attention' },
  exception: { color: 'Attention', style: 'attention' },
  started: { color: 'Accent', style: 'accent' },
};
const neutral = { color: 'Default', style: 'emphasis' };

/** Event data as literal card text, cut first so an escape is never cut in half. */
const shown = (text: string): string => literal(cutText(text, MAX_FIELD_CHARS));

function listed(names: readonly string[]): string {
  const head = names.slice(0, MAX_LIST_ITEMS).join(', ');
  return names.length > MAX_LIST_ITEMS ? `${head} and ${names.length - MAX_LIST_ITEMS} more` : head;
}

function card(summary: BuildSummary, version: CardVersion, text: string | undefined): AdaptiveCard {
  const look = looks[summary.status] ?? neutral;
  const facts = [
    { title: 'Builder', value: summary.builder },
    { title: 'Status', value: summary.detail ? `${summary.statusText} (${summary.detail})` : summary.statusText },
    ...(summary.blamelist.length ? [{ title: 'Blamelist', value: listed(summary.blamelist) }] : []),
    ...(summary.failingSteps.length ? [{ title: 'Failing steps', value: listed(summary.failingSteps) }] : []),
    ...(summary.sources.length ? [{ title: 'Sources', value: listed(summary.sources) }] : []),
  ].map((f) => ({ ...f, value: shown(f.value) }));
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version,
    body: [
      {
        type: 'Container',
        style: look.style,
        bleed: true,
        items: [
          {
            type: 'TextBlock',
            text: shown(`${summary.emoji} ${summary.title}`),
            size: 'Large',
            weight: 'Bolder',
            color: look.color,
            wrap: true,
          },
        ],
      },
      ...(text ? [{ type: 'TextBlock', text, wrap: true }] : []),
      { type: 'FactSet', facts },
    ],
    ...(summary.url ? { actions: [{ type: 'Action.OpenUrl', title: 'View build', url: summary.url }] } : {}),
    msteams: { width: 'Full' },
  };
}

export function envelope(content: AdaptiveCard): TeamsMessage {
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }],
  };
}

export const bodyBytes = (message: TeamsMessage): number => Buffer.byteLength(JSON.stringify(message), 'utf8');

/**
 * The message for `summary`; `text` (a formatter's body) under the title, cut until the
 * body fits Teams' limit. The formatter's text is the operator's own, so its Markdown is kept.
 */
export function teamsMessage(summary: BuildSummary, version: CardVersion, text?: string): TeamsMessage {
  const withText = (chars: number) =>
    envelope(card(summary, version, text === undefined || chars === 0 ? undefined : cutText(text, chars)));
  const whole = withText(text === undefined ? 0 : Array.from(text).length);
  if (bodyBytes(whole) <= MAX_BODY_BYTES) return whole;
  // The longest cut of the text that fits (characters take 1 to 4 bytes, so search for it).
  let [fits, tooLong] = [0, Array.from(text!).length];
  while (tooLong - fits > 1) {
    const middle = Math.floor((fits + tooLong) / 2);
    if (bodyBytes(withText(middle)) <= MAX_BODY_BYTES) fits = middle;
    else tooLong = middle;
  }
  return withText(fits);
}
