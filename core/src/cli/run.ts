/**
 * `bbreporters run`: the service. Stops cleanly on SIGTERM/SIGINT, or when every (finite) source
 * is done; reloads its config on SIGHUP (`bbreporters reload` sends it, to the pid in
 * `<stateDir>/bbreporters.pid`).
 */
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { DEFAULT_DRAIN_MS } from '../host/defaults.js';
import { guardProcessExit } from '../host/exit-guard.js';
import { writePidFile } from '../host/pid-file.js';
import { defined } from '../lang/defined.js';
import type { Service, ServiceOptions } from '../host/service.js';
import { exitCodes, UsageError, write, type Command } from './command.js';
import { configFile, configOption, configOptionHelp } from './config-file.js';
import { reportError } from './errors.js';
import { logDestination, logOptionHelp, logOptions, serviceLogLevel } from './log-options.js';

export const runCommand: Command = {
  name: 'run',
  summary: "Run the service: the config's sources feed its reporters",
  usage: 'bbreporters run [--config FILE] [--drain-ms N] [--log-level LEVEL] [--log-format json|pretty]',
  options: { ...configOption, 'drain-ms': { type: 'string' }, ...logOptions },
  optionHelp: {
    config: configOptionHelp,
    'drain-ms': `On stop, how long to wait for pending deliveries (default ${DEFAULT_DRAIN_MS}).`,
    ...logOptionHelp,
    'log-level': `${logOptionHelp['log-level']} Default: BBR_LOG_LEVEL, else the config's logLevel, else info.`,
  },
  async run(values, _positionals, io) {
    const file = configFile(values);
    const drainMs = values['drain-ms'] === undefined ? DEFAULT_DRAIN_MS : Number(values['drain-ms']);
    if (!Number.isInteger(drainMs) || drainMs < 0)
      throw new UsageError('--drain-ms must be a whole number of milliseconds');
    const logging = defined({ logLevel: serviceLogLevel(values, io), logDestination: logDestination(values, io) });
    let service: Service;
    try {
      const loaded = loadConfig(file, { env: io.env });
      if (!loaded.config.sources?.length) {
        write(
          io.stderr,
          `${file}: no sources, so there is nothing to run. Add a source, for example "sources: [{ type: http, listen: 127.0.0.1:8020 }]" (or type: replay, type: buildbot), or use "bbreporters preview" or the library.`,
        );
        return exitCodes.invalid;
      }
      service = await startOrExplain(loaded, io, { ...logging, env: io.env });
    } catch (error) {
      return reportError(error, io);
    }
    const unguardExit = guardProcessExit(service.logger);
    // A bug in a plugin's stray promise must not take the service down: log it and go on.
    const onRejection = (reason: unknown) =>
      service.logger.error({ err: reason }, 'unhandled rejection (kept running)');
    process.on('unhandledRejection', onRejection);
    // Service.reload runs one reload at a time: a SIGHUP during one waits for it.
    const onHangup = () => void service.reload();
    process.on('SIGHUP', onHangup);
    // Only once SIGHUP reloads (by default it would end the process) may `bbreporters reload` find us.
    let removePidFile: () => void = () => {};
    try {
      removePidFile = writePidFile(service.runtime.config.stateDir);
      const why = await Promise.race([io.stopRequested, service.finished().then(() => 'all sources done')]);
      service.logger.info({ why }, 'stopping');
      const pending = await service.stop(drainMs);
      return pending ? exitCodes.failure : exitCodes.ok;
    } finally {
      removePidFile();
      process.off('SIGHUP', onHangup);
      process.off('unhandledRejection', onRejection);
      unguardExit();
    }
  },
};

/**
 * Starts the service. Should start-up leave nothing for the event loop to wait for (a plugin or a
 * source that will never settle), Node would exit 0 without a word: say so and exit 3 instead.
 */
async function startOrExplain(
  loaded: LoadedConfig,
  io: Parameters<Command['run']>[2],
  logging: Pick<ServiceOptions, 'logLevel' | 'logDestination' | 'env'>,
): Promise<Service> {
  const stalled = () => {
    write(
      io.stderr,
      "BBR_PLUGIN_SETUP: start-up stopped with nothing left to wait for: a reporter's setup() or a source's start never settled",
    );
    process.exitCode = exitCodes.failure;
  };
  process.once('beforeExit', stalled);
  try {
    // Imported here: the service (every source, the runtime, the ledger) is what other commands need not load.
    const { Service } = await import('../host/service.js');
    return await Service.start(loaded, { ...logging, stdin: io.stdin });
  } finally {
    process.off('beforeExit', stalled);
  }
}
