/** How the CLI prints errors: catalogue errors in full (code, located details, fix); others in one line. */
import { isBbrError, reasonOf, type BbrError } from '../diagnostics/errors.js';
import { exitCodes, write, type Io } from './command.js';

const invalidCodes = new Set<BbrError['code']>([
  'BBR_CONFIG_INVALID',
  'BBR_CONFIG_READ',
  'BBR_CONFIG_EXISTS',
  'BBR_ENV_MISSING',
  'BBR_EVENT_INVALID',
  'BBR_PLUGIN_NOT_FOUND',
  'BBR_PLUGIN_MANIFEST',
  'BBR_PLUGIN_ENTRY',
  'BBR_PLUGIN_API_VERSION',
  'BBR_PLUGIN_OPTIONS',
  'BBR_REPORTER_NAME',
  'BBR_MODULE_REFERENCE',
  'BBR_LEDGER_NOT_FOUND',
]);

/** Prints the error and returns the exit code it means. */
export function reportError(error: unknown, io: Io): number {
  if (isBbrError(error)) {
    write(io.stderr, error.describe());
    return invalidCodes.has(error.code) ? exitCodes.invalid : exitCodes.failure;
  }
  write(io.stderr, `error: ${reasonOf(error)}`);
  return exitCodes.failure;
}
