import type { Logger } from '@bbreporters/core';

/** A logger that records warnings, for unit tests of pure logic. */
export function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const record = (a: unknown, b?: unknown) => void warnings.push(String(typeof a === 'string' ? a : b));
  const logger = { warn: record, info: () => {}, debug: () => {}, error: record, warnings };
  return logger as unknown as Logger & { warnings: string[] };
}
