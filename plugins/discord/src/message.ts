/**
 * A build as a Discord webhook message: by default one embed rendered from core's buildSummary
 * (colour by result, builder, link, blamelist, failing steps, sources), or the message
 * formatter's text as `content`. Event data is Markdown-escaped here, limits enforced, and
 * mentions never ping (`allowed_mentions: {parse: []}`), whatever a name holds.
 */
import { cutText, type BuildSummary } from '@bbreporters/core';
import type { APIEmbed, APIEmbedField, RESTPostAPIWebhookWithTokenJSONBody } from 'discord-api-types/v10';
import { escapeMarkdown } from './markdown.js';
import { fitEmbed, limits } from './limits.js';

/** The fields a webhook message takes on creation and on an edit (no username, avatar_url, tts). */
export type MessageBody = Pick<RESTPostAPIWebhookWithTokenJSONBody, 'content' | 'embeds' | 'allowed_mentions'>;

const noPings = { parse: [] };

/** `summary` as one embed; `footer` names the Buildbot (config `title`); `at` is the build's time (epoch s). */
export function summaryMessage(summary: BuildSummary, footer: string, at: number | undefined): MessageBody {
  const fields: APIEmbedField[] = [
    { name: 'Builder', value: escapeMarkdown(summary.builder), inline: true },
    { name: 'Build', value: `#${summary.number}`, inline: true },
    { name: 'Status', value: escapeMarkdown(summary.statusText), inline: true },
  ];
  const list = (name: string, items: string[], separator: string) => {
    if (items.length) fields.push({ name, value: items.map(escapeMarkdown).join(separator) });
  };
  list('Blamelist', summary.blamelist, ', ');
  list('Failing steps', summary.failingSteps, '\n');
  list('Sources', summary.sources, ', ');
  const embed: APIEmbed = {
    title: `${summary.emoji} ${escapeMarkdown(summary.title)}`,
    ...(summary.url && /^https?:\/\//i.test(summary.url) ? { url: summary.url } : {}),
    color: Number.parseInt(summary.colour.slice(1), 16),
    ...(summary.detail ? { description: escapeMarkdown(summary.detail) } : {}),
    fields,
    ...(footer ? { footer: { text: escapeMarkdown(footer) } } : {}),
    ...(at ? { timestamp: new Date(at * 1000).toISOString() } : {}),
  };
  return { embeds: [fitEmbed(embed)], allowed_mentions: noPings };
}

/** A message formatter's text (the user's own Markdown) as the message content. */
export function textMessage(text: string): MessageBody {
  return { content: cutText(text, limits.content), allowed_mentions: noPings };
}
