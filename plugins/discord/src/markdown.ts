/**
 * Event data in Discord Markdown: a builder or a blamed author's name can hold anything, and
 * Discord would render `**x**` bold, `[x](url)` a masked link, `<@123>` a mention. A backslash
 * before any punctuation shows it as written; `allowed_mentions` stops what pings regardless.
 */

/** Characters Discord's Markdown gives a meaning to anywhere in a line. */
const INLINE = /[\\*_~`|<>[\]()#@:]/g;
/** Line starts that make a list, a quote or a heading (a `1.` list, `- `, `> `, `# `). */
const LINE_START = /^(\s*)([-+]|\d+(?=\.))/gm;

export function escapeMarkdown(text: string): string {
  return text.replace(INLINE, '\\$&').replace(LINE_START, '$1\\$2');
}
