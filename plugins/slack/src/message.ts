/**
 * What Slack shows for a build: Block Kit blocks (header, the linked title, the facts as fields) in an attachment coloured by result, with a plain `text` for
 * notifications. Event data is escaped for mrkdwn; every documented Block Kit limit is kept by
 * cutting, never by letting Slack refuse the message.
 */
import { cutText, slackMrkdwn, summaryFields, type BuildSummary } from '@bbreporters/core';
import type { AnyBlock, MessageAttachment } from '@slack/types';

/** Block Kit's documented limits (@slack/types' typings, Slack's block reference). */
export const limits = {
  /** Slack truncates `text` past 40,000 characters; we cut first so the ending stays ours. */
  text: 40_000,
  header: 150,
  sectionText: 3000,
  fields: 10,
  field: 2000,
} as const;

export interface SlackMessage {
  text: string;
  attachments?: MessageAttachment[];
}

export function summaryMessage(summary: BuildSummary): SlackMessage {
  const title = summary.url ? slackMrkdwn.link(summary.url, summary.title) : slackMrkdwn.text(summary.title);
  const fields = summaryFields(summary, slackMrkdwn);
  const blocks: AnyBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: cutText(`${summary.emoji} ${summary.title}`, limits.header), emoji: true },
    },
    { type: 'section', text: { type: 'mrkdwn', text: cutLink(title) } },
    {
      type: 'section',
      fields: fields
        .slice(0, limits.fields)
        .map((f) => ({ type: 'mrkdwn' as const, text: cutText(`*${f.title}*\n${f.value}`, limits.field) })),
    },
  ];
  return {
    text: cutText(`${summary.emoji} ${slackMrkdwn.text(summary.title)}`, limits.text),
    attachments: [{ color: summary.colour, fallback: `${summary.emoji} ${summary.title}`, blocks }],
  };
}

/** A formatter's body as the message text (mrkdwn, so escaped). */
export function textMessage(body: string): SlackMessage {
  return { text: cutText(slackMrkdwn.text(body), limits.text) };
}

/** A title link too long for a section loses its link rather than its closing `>`. */
function cutLink(text: string): string {
  return text.length <= limits.sectionText ? text : cutText(text.replace(/^<[^|]*\|(.*)>$/s, '$1'), limits.sectionText);
}
