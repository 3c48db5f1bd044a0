/**
 * Log lines for a person at a terminal: local time, level, message, then the record's fields, on
 * one line (an error's stack on the lines below). Core's logger masks secrets in each JSON line
 * before it reaches this destination, so pretty lines are masked too.
 */
import { createRequire } from 'node:module';
import type { DestinationStream } from 'pino';
import type { prettyFactory as PrettyFactory } from 'pino-pretty';

export function prettyLogLines(out: NodeJS.WritableStream, options: { colour: boolean }): DestinationStream {
  // Loaded only for a terminal: a service logging JSON (systemd, a pipe) never pays its ~10 MB and ~50 ms.
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as { prettyFactory: typeof PrettyFactory };
  // prettyFactory formats synchronously: a line logged just before the process exits is not lost.
  const pretty = prettyFactory({
    colorize: options.colour,
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
  });
  return { write: (line: string) => void out.write(pretty(line)) };
}
