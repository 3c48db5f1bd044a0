/**
 * A `Logger` for unit tests of code that logs: writes nothing, records every call (level,
 * message, fields) so a test can check what was logged.
 */
import type { Logger } from '../diagnostics/logger.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface LogRecord {
  level: LogLevel;
  /** The message, as pino would write it: `msg`, else a string first argument, else an error's message. */
  msg: string;
  /** The child bindings and the object logged (an error as `err`). */
  fields: Record<string, unknown>;
}

export interface RecordingLogger extends Logger {
  /** Every call, in order, on this logger and on its children. */
  readonly records: LogRecord[];
  /** The messages logged at `level`, in order. */
  messages(level: LogLevel): string[];
  child(bindings: Record<string, unknown>): RecordingLogger;
}

export function recordingLogger(): RecordingLogger {
  return withBindings([], {});
}

function withBindings(records: LogRecord[], bindings: Record<string, unknown>): RecordingLogger {
  const at = (level: LogLevel) => (obj: unknown, msg?: string) => {
    const error = obj instanceof Error ? obj : undefined;
    const object = typeof obj === 'object' && obj !== null && !error ? (obj as Record<string, unknown>) : {};
    records.push({
      level,
      msg: msg ?? (typeof obj === 'string' ? obj : (error?.message ?? '')),
      fields: { ...bindings, ...object, ...(error ? { err: error } : {}) },
    });
  };
  return {
    records,
    messages: (level) => records.filter((r) => r.level === level).map((r) => r.msg),
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: (more) => withBindings(records, { ...bindings, ...more }),
  };
}
