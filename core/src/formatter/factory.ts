/** `ctx.formatter`: MessageFormatter factories bound to one reporter. */
import type { FormatterFactory } from '../plugin-api.js';
import { createMessageFormatter, createMissingWorkerFormatter, type FormatterEnv } from './message-formatter.js';

export function createFormatterFactory(env: FormatterEnv): FormatterFactory {
  return {
    create: (options) => createMessageFormatter(options, env),
    createMissingWorker: (options) => createMissingWorkerFormatter(options, env),
  };
}
