/**
 * `bbreporters preview`: what one reporter would send for one event: the deliveries' targets
 * and payloads exactly as the reporter made them, secrets masked, or why it sends nothing (a
 * filter, a hook it does not handle, the reasons its handler gave). Nothing is sent.
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import { closest } from '../config/suggest.js';
import { normaliseEvent } from '../events/envelope.js';
import { BbrError, reasonOf } from '../diagnostics/errors.js';
import { payloadSecrets } from '../http/redact.js';
import type { BbEvent } from '../events/events.js';
import { maskSecrets } from '../diagnostics/mask.js';
import type { QueuedDelivery } from '../plugin-api.js';
import type { HookOutcome } from '../dispatch/outcomes.js';
import { statusToString } from '../events/results.js';
import { exitCodes, readText, requireString, UsageError, write, type Command } from './command.js';
import { configFile, configOption, configOptionHelp } from './config-file.js';
import { reportError } from './errors.js';
import { withRepository } from './repository-override.js';
import { logDestination, logLevelFlag, logOptionHelp, logOptions } from './log-options.js';

export const previewCommand: Command = {
  name: 'preview',
  summary: 'Show what one reporter would send for an event; sends nothing',
  usage:
    'bbreporters preview [--config FILE] --reporter NAME --event FILE [-v | --log-level LEVEL] [--log-format json|pretty]\n' +
    '       [--repository URL]\n\n' +
    "Logs nothing unless asked: the explanation is on standard output. The config's logLevel and BBR_LOG_LEVEL do not apply.",
  options: {
    ...configOption,
    reporter: { type: 'string', short: 'r' },
    event: { type: 'string', short: 'e' },
    repository: { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
    ...logOptions,
  },
  optionHelp: {
    config: configOptionHelp,
    reporter: "The reporter's name (its `name`, default the plugin's short name).",
    event: 'A JSON file: an event envelope or a raw Buildbot HttpStatusPush body ("-" reads standard input).',
    repository:
      "Replaces every source stamp's repository in the event, e.g. https://github.com/OWNER/REPO to preview a commit status.",
    verbose: "Log the reporter's info-level lines to standard error.",
    ...logOptionHelp,
    'log-level': `${logOptionHelp['log-level']} Default: silent, or info with -v.`,
  },
  async run(values, _positionals, io) {
    const file = configFile(values);
    const logLevel = logLevelFlag(values) ?? (values.verbose ? 'info' : 'silent');
    const destination = logDestination(values, io);
    const name = requireString(values, 'reporter');
    const eventFile = requireString(values, 'event');
    const eventText = eventFile === '-' ? await readText(io.stdin) : readEventFile(eventFile);
    let event: BbEvent;
    let loaded;
    try {
      loaded = loadConfig(file, { env: io.env });
      event = normaliseEvent(parseEvent(eventFile, eventText));
      if (typeof values.repository === 'string') event = withRepository(event, values.repository);
    } catch (error) {
      return reportError(error, io);
    }
    const names = loaded.prepared.map((r) => r.name);
    if (!names.includes(name)) {
      const suggestion = closest(name, names);
      throw new UsageError(
        `no reporter named "${name}" in ${file}${suggestion ? `; did you mean "${suggestion}"?` : ''} (reporters: ${names.join(', ') || 'none'})`,
      );
    }
    const deliveries: QueuedDelivery[] = [];
    let reporters;
    try {
      // Imported here: the runtime is what other commands need not load.
      const { startReporters } = await import('../host/create-reporters.js');
      reporters = await startReporters(loaded, {
        only: [name],
        dryRun: true,
        logLevel,
        logDestination: destination,
      });
    } catch (error) {
      return reportError(error, io);
    }
    try {
      // As they would be sent (credentials added), so the output shows them masked.
      reporters.onDelivery((_outcome, delivery) => deliveries.push(reporters.runtime.asSent(delivery)));
      const result = await reporters.emit(event);
      await reporters.drain();
      // The config's and the reporter's secrets, and credentials an HTTP request payload carries (a Basic header).
      const secrets = new Set([
        ...loaded.secrets,
        ...reporters.runtime.secrets,
        ...deliveries.flatMap((d) => payloadSecrets(d.payload)),
      ]);
      const lines = [`event: ${describeEvent(event)}`];
      for (const o of result.outcomes) lines.push(...outcomeLines(o, deliveries.length));
      lines.push(`deliveries: ${deliveries.length}`);
      deliveries.forEach((d, i) => {
        lines.push(`--- delivery ${i + 1} of ${deliveries.length} to ${d.target}`);
        lines.push(...payloadLines(d.payload));
      });
      lines.push('nothing was sent (preview)');
      write(io.stdout, maskSecrets(lines.join('\n'), secrets));
      return result.outcomes.every((o) => o.status === 'accepted' || o.status === 'skipped')
        ? exitCodes.ok
        : exitCodes.failure;
    } finally {
      await reporters.close(0);
    }
  },
};

/**
 * The reporter's outcome, then why it sends nothing, or what it left out: the filter, the hook it
 * does not handle, the reasons its handler gave (`ctx.skip`).
 */
function outcomeLines(outcome: HookOutcome, deliveries: number): string[] {
  const head = `reporter ${outcome.reporter}: ${outcome.hook} ${outcome.status}`;
  if (outcome.status === 'failed' || outcome.status === 'timeout') return [`${head} (${outcome.reason})`];
  const reasons = outcome.skips ?? (outcome.reason ? [outcome.reason] : []);
  if (reasons.length === 0 && deliveries === 0) reasons.push('the reporter delivered nothing and gave no reason');
  return [head, ...reasons.map((reason) => `  not sent: ${reason}`)];
}

/** A payload's `raw` text (e.g. a whole mail message) is shown as it would be sent, after the other fields. */
function payloadLines(payload: unknown): string[] {
  if (typeof payload !== 'object' || payload === null || typeof (payload as { raw?: unknown }).raw !== 'string')
    return [JSON.stringify(payload, null, 2)];
  const { raw, ...rest } = payload as { raw: string };
  return [JSON.stringify(rest, null, 2), '--- raw', raw.replace(/\r\n/g, '\n')];
}

function readEventFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--event ${file}: ${reasonOf(error)}`);
  }
}

function parseEvent(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BbrError('BBR_EVENT_INVALID', `${file} is not JSON: ${reasonOf(error)}`);
  }
}

function describeEvent(event: BbEvent): string {
  switch (event.event) {
    case 'buildStarted':
    case 'buildFinished': {
      const b = event.payload;
      const result = event.event === 'buildFinished' ? `, ${statusToString(b.results ?? null)}` : '';
      return `${event.event} ${event.id} (builder ${b.builder?.name ?? b.builderid}, build #${b.number}${result})`;
    }
    case 'buildsetFinished':
      return `${event.event} ${event.id} (${event.payload.builds.length} builds)`;
    case 'workerMissing':
      return `${event.event} ${event.id} (worker ${event.payload.worker.name})`;
  }
}
