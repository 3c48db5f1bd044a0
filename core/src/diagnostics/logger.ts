/**
 * Core's logger: pino, with every secret value core knows of masked in every line written,
 * whatever part of a log record carries it (message, error, object).
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { maskSecrets } from './mask.js';

/** The logging surface plugins get (pino's, narrowed so plugins do not depend on pino). */
export interface Logger {
  trace(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
  fatal(obj: unknown, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: string;
  /** Secret values to mask; the set may grow after the logger is created. */
  secrets: Set<string>;
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): PinoLogger {
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      hooks: {
        streamWrite: (line: string) => (options.secrets.size ? maskSecrets(line, options.secrets) : line),
      },
    },
    options.destination ?? pino.destination(2),
  );
}
