/**
 * What Mattermost shows for a build: core's Slack-compatible attachment (coloured by result, the
 * title linked to the build, the facts as fields) in Mattermost's Markdown, event data escaped and
 * channel-wide mentions defused.
 */
import {
  cutText,
  summaryAttachment,
  type BuildSummary,
  type ChatMarkup,
  type SlackAttachment,
} from '@bbreporters/core';

/** Mattermost's maximum post message (16383 runes since server 5.0; 4000 on databases never migrated). */
export const MESSAGE_MAX = 16_383;

/** `@all`, `@channel`, `@here`, `@name` at a word start notify people: a zero-width space stops that, e-mail addresses stay. */
function defuseMentions(text: string): string {
  return text.replace(/(^|[^\w.+-])@(?=[\w.-])/g, '$1@\u200b');
}

/** Mattermost's Markdown: a backslash before the characters that start formatting, links or HTML. */
export const mattermostMarkdown: ChatMarkup = {
  text: (value) => defuseMentions(value.replace(/[\\`*_~[\]()<>#|!]/g, '\\$&')),
};

export interface MattermostMessage {
  text?: string;
  attachments?: SlackAttachment[];
}

export function summaryMessage(summary: BuildSummary): MattermostMessage {
  // The attachment carries everything: no text, so the title is not shown twice.
  return { attachments: [summaryAttachment(summary, mattermostMarkdown)] };
}

/** A formatter's body as the post's Markdown: the user's template decides the markup, mentions are defused. */
export function textMessage(body: string): MattermostMessage {
  return { text: cutText(defuseMentions(body), MESSAGE_MAX) };
}
