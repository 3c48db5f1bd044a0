/** `--since T`: an ISO time (`2026-11-30T06:00:00Z`, `2026-11-30`) or a duration back from now (`90s`, `30m`, `2h`, `7d`). */
import { UsageError } from './command.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 } as const;

/** The time (ms since the epoch) `--since` names. */
export function parseSince(text: string, now = Date.now()): number {
  const duration = /^(\d+)([smhd])$/.exec(text.trim());
  if (duration) return now - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
  // Only ISO-looking text: Date.parse takes "1" or "May" too, which are surely mistakes here.
  const at = /^\d{4}-\d\d-\d\d/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(at))
    throw new UsageError(
      `--since "${text}" is neither an ISO time (2026-11-30T06:00:00Z) nor a duration (30m, 2h, 7d)`,
    );
  return at;
}
