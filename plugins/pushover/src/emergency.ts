/**
 * Pushover's emergency priority (2) repeats a notification until it is acknowledged, so Pushover
 * refuses one without `retry` (seconds between repeats) and `expire` (how long to repeat). A
 * `priorities` entry of 2 without both would fail every such notification: refused at setup.
 */
import type { PushoverOptions } from './generated/options.js';

export interface OptionProblem {
  path: string;
  message: string;
}

export function emergencyProblems(options: PushoverOptions): OptionProblem[] {
  const other = options.otherParams ?? {};
  const missing = (['retry', 'expire'] as const).filter((key) => other[key] === undefined);
  if (missing.length === 0) return [];
  return Object.entries(options.priorities ?? {})
    .filter(([, priority]) => priority === 2)
    .map(([status]) => ({
      path: `priorities.${status}`,
      message: `is 2 (emergency), which Pushover refuses without otherParams.retry (seconds between repeats, at least 30) and otherParams.expire (seconds to repeat, at most 10800): add ${missing.map((k) => `otherParams.${k}`).join(' and ')}, or use priority 1`,
    }));
}
