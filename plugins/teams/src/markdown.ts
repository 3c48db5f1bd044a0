/**
 * Event data inside a TextBlock or a FactSet value: Adaptive Cards render a CommonMark subset
 * (bold, italic, lists, links; no headers, tables or HTML), so a builder named
 * `**x** [y](https://evil)` must stay literal text. CommonMark's backslash escapes cover the
 * characters that open that markup (a link needs `[`, so `(` stays as is); `{{` would start a
 * DATE()/TIME() function, and `<at>` is Teams' mention tag, so braces and angle brackets too.
 */
export function literal(text: string): string {
  return text.replace(/[\\*_[\]<>{}`~]/g, '\\$&').replace(/^([-+]|\d+\.)(\s)/gm, '\\$1$2');
}
