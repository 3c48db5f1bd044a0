/** Text from event data cut to what a service or a channel takes. */

/** `text` cut to `max` characters (code points, so never inside one), the last one an ellipsis when cut. */
export function cutText(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
