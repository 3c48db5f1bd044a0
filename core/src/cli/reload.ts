/**
 * `bbreporters reload`: checks the config, then asks the service running with it (the pid in
 * `<stateDir>/bbreporters.pid`) to reload it, with SIGHUP. An invalid config is refused here and
 * nothing is sent; what the service then does is in its log.
 */
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { BbrError } from '../diagnostics/errors.js';
import { resolveStateDir } from '../host/defaults.js';
import { pidFilePath, readPid } from '../host/pid-file.js';
import { exitCodes, write, type Command } from './command.js';
import { configFile, configOption, configOptionHelp } from './config-file.js';
import { reportError } from './errors.js';

export const reloadCommand: Command = {
  name: 'reload',
  summary: 'Check the config, then have the running service reload it (SIGHUP)',
  usage:
    'bbreporters reload [--config FILE]\n\n' +
    'FILE must be the config the service runs with: its stateDir holds the bbreporters.pid that `run` writes.\n' +
    'Changed reporters restart, removed ones finish what they hold, unchanged ones keep running.',
  options: configOption,
  optionHelp: { config: configOptionHelp },
  async run(values, _positionals, io) {
    const file = configFile(values);
    let loaded: LoadedConfig;
    let pid: number;
    try {
      loaded = loadConfig(file, { env: io.env });
      pid = runningService(resolveStateDir(loaded.configDir, loaded.config.stateDir));
      process.kill(pid, 'SIGHUP');
    } catch (error) {
      return reportError(error, io);
    }
    for (const warning of loaded.warnings) write(io.stderr, `warning: ${warning}`);
    write(
      io.stdout,
      `${file}: OK; sent SIGHUP to the service (pid ${pid}): it reloads its config now, and its log says what changed (or why it refused)`,
    );
    return exitCodes.ok;
  },
};

/** The pid of the service running with `stateDir`; BBR_SERVICE_NOT_RUNNING when there is none. */
function runningService(stateDir: string): number {
  const file = pidFilePath(stateDir);
  const pid = readPid(stateDir);
  if (pid === undefined)
    throw new BbrError('BBR_SERVICE_NOT_RUNNING', `no service runs with this config: ${file} does not exist`);
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH')
      throw new BbrError(
        'BBR_SERVICE_NOT_RUNNING',
        `${file} names process ${pid}, which is not running: a stale file (the service stopped without removing it)`,
      );
    // EPERM: it runs, as another user; the SIGHUP then fails with the same reason.
  }
  return pid;
}
