/** mIRC colour codes, as Buildbot's words bot uses them for results. */
import { Results } from '@bbreporters/core';

export const Colours = {
  WHITE: 0,
  BLACK: 1,
  NAVY_BLUE: 2,
  GREEN: 3,
  RED: 4,
  BROWN: 5,
  PURPLE: 6,
  OLIVE: 7,
  YELLOW: 8,
  LIME_GREEN: 9,
  TEAL: 10,
  AQUA_LIGHT: 11,
  ROYAL_BLUE: 12,
  PINK: 13,
  DARK_GRAY: 14,
  LIGHT_GRAY: 15,
} as const;

const resultColours: Record<number, number> = {
  [Results.SUCCESS]: Colours.GREEN,
  [Results.WARNINGS]: Colours.YELLOW,
  [Results.FAILURE]: Colours.RED,
  [Results.SKIPPED]: Colours.ROYAL_BLUE,
  [Results.EXCEPTION]: Colours.PURPLE,
  [Results.RETRY]: Colours.AQUA_LIGHT,
  [Results.CANCELLED]: Colours.PINK,
};

/**
 * `\x03NN text \x0f`. Always two digits, so text starting with a digit cannot change the colour
 * (Buildbot wrote one digit for colours below 10).
 */
export function colourFor(results: number | null | undefined, text: string, enabled: boolean): string {
  const colour = results === null || results === undefined ? undefined : resultColours[results];
  if (!enabled || colour === undefined) return text;
  return `\x03${String(colour).padStart(2, '0')}${text}\x0f`;
}
