/**
 * Event data in Discord Markdown: a builder or a blamed author's name can hold anything, and
 * Discord would render `**x**` bold, `[x](url)` a masked link, `<@123>` a mention, `https:` a link.
 * A backslash before any punctuation shows it as written; `allowed_mentions` stops what pings regardless.
 */

/** Characters Discord's Markdown gives a meaning to anywhere in a line. */
const INLINE = /[\\*_~`|<>[\]@:]/g;
/** Line starts that make a list or a heading (`- `, `+ `, `# `); `>` (a quote) is escaped anywhere. */
const LINE_MARK = /^(\s*)([-+#])/gm;
/** A numbered list's `1.` at a line start. */
const LINE_NUMBER = /^(\s*\d+)\./gm;

export function escapeMarkdown(text: string): string {
  return text.replace(INLINE, '\\$&').replace(LINE_MARK, '$1\\$2').replace(LINE_NUMBER, '$1\\.');
}
