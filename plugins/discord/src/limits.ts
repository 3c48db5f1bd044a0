/**
 * Discord's message limits (docs: Message Resource, Embed Limits), counted in characters and
 * enforced before a message is sent: Discord answers a message over any of them with 400.
 */
import { cutText } from '@bbreporters/core';
import type { APIEmbed } from 'discord-api-types/v10';

export const limits = {
  content: 2000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  authorName: 256,
  /** title, description, field names and values, footer text and author name of all embeds together. */
  embedsTotal: 6000,
  embeds: 10,
} as const;

const length = (text: string | undefined) => (text ? Array.from(text).length : 0);

/** The characters of `embed` that count toward `embedsTotal`. */
export function embedLength(embed: APIEmbed): number {
  return (
    length(embed.title) +
    length(embed.description) +
    length(embed.footer?.text) +
    length(embed.author?.name) +
    (embed.fields ?? []).reduce((sum, f) => sum + length(f.name) + length(f.value), 0)
  );
}

/** `embed` with each text cut to its limit, then the description and the last fields shortened until the whole fits. */
export function fitEmbed(embed: APIEmbed): APIEmbed {
  const fitted: APIEmbed = {
    ...embed,
    ...(embed.title !== undefined ? { title: cutText(embed.title, limits.title) } : {}),
    ...(embed.description !== undefined ? { description: cutText(embed.description, limits.description) } : {}),
    ...(embed.footer ? { footer: { ...embed.footer, text: cutText(embed.footer.text, limits.footer) } } : {}),
    ...(embed.author ? { author: { ...embed.author, name: cutText(embed.author.name, limits.authorName) } } : {}),
    ...(embed.fields
      ? {
          fields: embed.fields.slice(0, limits.fields).map((f) => ({
            ...f,
            name: cutText(f.name, limits.fieldName),
            value: cutText(f.value, limits.fieldValue),
          })),
        }
      : {}),
  };
  let over = embedLength(fitted) - limits.embedsTotal;
  if (over > 0 && fitted.description) {
    const keep = Math.max(1, length(fitted.description) - over);
    fitted.description = cutText(fitted.description, keep);
    over = embedLength(fitted) - limits.embedsTotal;
  }
  while (over > 0 && fitted.fields?.length) {
    fitted.fields = fitted.fields.slice(0, -1);
    over = embedLength(fitted) - limits.embedsTotal;
  }
  return fitted;
}
