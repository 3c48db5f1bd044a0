/**
 * What the service does about a plugin calling `process.exit()`: it cannot be prevented (the
 * process would keep running with a reporter in an unknown state), but it is never silent. The
 * call is logged at fatal level with the reporter it came from (when it came from a handler) and
 * the stack that names the plugin's file, and an exit "with success" becomes exit code 1, so a
 * supervisor restarts the service.
 */
import type { Logger } from '../diagnostics/logger.js';
import { handlerScope } from '../dispatch/isolation.js';

/** Installs the guard; returns the function that removes it. */
export function guardProcessExit(logger: Logger): () => void {
  const exit = process.exit.bind(process);
  const guarded = (code?: number | string | null): never => {
    const reporter = handlerScope.getStore()?.reporter;
    const stack = new Error('process.exit() called').stack?.split('\n').slice(2, 8).join('\n');
    logger.fatal(
      { reporter: reporter ?? 'unknown (not inside a handler)', code, stack },
      'a plugin called process.exit(): the service stops',
    );
    return exit(code === undefined || code === null || code === 0 || code === '0' ? 1 : code);
  };
  process.exit = guarded;
  return () => {
    if (process.exit === guarded) process.exit = exit;
  };
}
