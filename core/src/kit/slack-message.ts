/**
 * A build summary as a Slack-compatible message attachment: Slack's legacy attachments, which
 * Mattermost's incoming webhooks and REST posts (`props.attachments`) take as they are. Both
 * packages render the same facts (result, builder, blamelist, failing steps, sources); only the
 * markup differs (Slack's mrkdwn, Mattermost's Markdown), so the caller passes its own.
 */
import type { BuildSummary } from './build-summary.js';
import { cutText } from './cut-text.js';

/** How a channel writes event text: `text` escapes event data for its markup. */
export interface ChatMarkup {
  text(value: string): string;
}

/** Slack's mrkdwn: `&`, `<`, `>` are its only control characters (`<!channel>`, `<url|label>`). */
export const slackMrkdwn: ChatMarkup & { link(url: string, label: string): string } = {
  text: (value) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  // A `|` or `>` in the label would end it early.
  link: (url, label) =>
    `<${url.replace(/[<>|\s]/g, encodeURIComponent)}|${slackMrkdwn.text(label).replace(/\|/g, '¦')}>`,
};

export interface SummaryField {
  title: string;
  /** In the channel's markup, event data escaped. */
  value: string;
  short: boolean;
}

/** Slack's documented cap for a section field's text (Block Kit); attachments use it too. */
export const FIELD_MAX = 2000;

/** The facts of a build as titled fields, in the channel's markup, each cut to `FIELD_MAX`. */
export function summaryFields(summary: BuildSummary, markup: ChatMarkup): SummaryField[] {
  const list = (items: string[]) => items.map((i) => markup.text(i)).join(', ');
  const fields: SummaryField[] = [
    { title: 'Result', value: `${summary.emoji} ${markup.text(summary.statusText)}`, short: true },
    { title: 'Builder', value: markup.text(summary.builder), short: true },
  ];
  if (summary.detail) fields.push({ title: 'Detail', value: markup.text(summary.detail), short: true });
  if (summary.blamelist.length) fields.push({ title: 'Blamelist', value: list(summary.blamelist), short: false });
  if (summary.failingSteps.length)
    fields.push({ title: 'Failing steps', value: list(summary.failingSteps), short: false });
  if (summary.sources.length) fields.push({ title: 'Sources', value: list(summary.sources), short: false });
  return fields.map((f) => ({ ...f, value: cutText(f.value, FIELD_MAX) }));
}

/** Slack's legacy attachment (Mattermost's message attachment). */
export interface SlackAttachment {
  fallback: string;
  color: string;
  title: string;
  title_link?: string;
  fields: SummaryField[];
}

/** The build as one coloured attachment: title linked to the build, the facts as fields. */
export function summaryAttachment(summary: BuildSummary, markup: ChatMarkup): SlackAttachment {
  return {
    // The plain title: what notifications and clients without attachments show.
    fallback: `${summary.emoji} ${summary.title}`,
    color: summary.colour,
    title: cutText(summary.title, 256),
    ...(summary.url ? { title_link: summary.url } : {}),
    fields: summaryFields(summary, markup),
  };
}
