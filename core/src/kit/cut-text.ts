/** Text from event data cut to what a service or a channel takes. */

/** `text` cut to `max` characters (code points, so never inside one), the last one an ellipsis when cut. */
export function cutText(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** `text` cut to at most `maxBytes` bytes of UTF-8 (never inside a code point), the last one an ellipsis when cut: for services that count bytes (Matrix events, Teams cards). */
export function cutUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let bytes = Buffer.byteLength('…', 'utf8');
  let kept = '';
  for (const char of text) {
    bytes += Buffer.byteLength(char, 'utf8');
    if (bytes > maxBytes) break;
    kept += char;
  }
  return `${kept}…`;
}
