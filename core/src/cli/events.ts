/**
 * `bbreporters events`: the events the service's ledger holds, each with every reporter's outcome
 * and its deliveries, and asking the running service to dispatch one again (redeliver).
 */
import { BbrError, isBbrError } from '../diagnostics/errors.js';
import type { EventDetail, EventSummary } from '../ledger/ledger.js';
import type { SqliteLedger } from '../ledger/sqlite-ledger.js';
import { defined } from '../lang/defined.js';
import { exitCodes, UsageError, type Command, type Io, type Values } from './command.js';
import { deliveriesTable, PICKED_UP } from './deliveries.js';
import { reportError } from './errors.js';
import {
  LEDGER_OPTION_NAMES,
  ledgerOptionHelp,
  ledgerOptions,
  limitOf,
  localTime,
  print,
  sinceOf,
  stringOption,
  withLedger,
} from './ledger-access.js';
import { subcommandOf } from './subcommands.js';
import { alignedTable, factColumns } from './table.js';

const SUBCOMMANDS = {
  list: ['since', 'limit'],
  show: ['body'],
  redeliver: ['reporter'],
} as const;

export const eventsCommand: Command = {
  name: 'events',
  summary: "List and show the events in the service's ledger, and redeliver one (also while it runs)",
  usage: [
    'bbreporters events list [--since T] [--limit N]',
    '       bbreporters events show ID [--body]',
    '       bbreporters events redeliver ID [--reporter R]',
    '',
    'The ledger is stateDir/ledger.sqlite of the service the config (or --state-dir) belongs to.',
    'T is an ISO time or a duration back from now (30m, 2h, 7d). Output: a table on a terminal, else JSON.',
  ].join('\n'),
  options: {
    ...ledgerOptions,
    since: { type: 'string' },
    limit: { type: 'string' },
    body: { type: 'boolean' },
    reporter: { type: 'string' },
  },
  optionHelp: {
    ...ledgerOptionHelp,
    since: 'list: only events received since T.',
    limit: 'list: at most N, newest first (default 50).',
    body: 'show: the event itself too (JSON).',
    reporter: 'redeliver: to this reporter only (default: every reporter).',
  },
  allowPositionals: true,
  async run(values, positionals, io) {
    const sub = subcommandOf('events', SUBCOMMANDS, LEDGER_OPTION_NAMES, values, positionals);
    try {
      if (sub === 'list') return list(values, positionals, io);
      const id = oneId(sub, positionals);
      return sub === 'show' ? show(values, id, io) : redeliver(values, id, io);
    } catch (error) {
      if (isBbrError(error)) return reportError(error, io);
      throw error;
    }
  },
};

function oneId(sub: string, positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`"events ${sub}" takes one event id`);
  return positionals[0];
}

function list(values: Values, positionals: string[], io: Io): number {
  if (positionals.length) throw new UsageError(`"events list" takes no ids (got ${positionals.join(' ')})`);
  const events = withLedger(values, io, (ledger) =>
    ledger.events(defined({ since: sinceOf(values), limit: limitOf(values) })),
  );
  print(io, values, events, () =>
    events.length
      ? alignedTable(
          ['ID', 'KIND', 'BUILDER', 'BUILD', 'RECEIVED', 'OUTCOMES', 'DELIVERIES'],
          events.map((e) => [
            e.id,
            e.kind,
            e.builder ?? '',
            e.build === undefined ? '' : String(e.build),
            localTime(e.receivedAt),
            outcomesOf(e),
            deliveryStatesOf(e),
          ]),
        )
      : 'no events match',
  );
  return exitCodes.ok;
}

/** `gh:accepted irc:skipped`; `-` while the event is dispatched. */
function outcomesOf(event: EventSummary): string {
  return event.outcomes?.map((o) => `${o.reporter}:${o.status}`).join(' ') ?? '-';
}

/** `sent:2 dead:1` */
function deliveryStatesOf(event: EventSummary): string {
  return Object.entries(event.deliveries)
    .map(([state, n]) => `${state}:${n}`)
    .join(' ');
}

function show(values: Values, id: string, io: Io): number {
  const detail = withLedger(values, io, (ledger) => ledger.event(id));
  if (!detail) throw new BbrError('BBR_LEDGER_NOT_FOUND', `no event ${id} in the ledger`);
  const withBody = values.body === true;
  print(io, values, withBody ? detail : { ...detail, body: undefined }, () => describeEvent(detail, withBody));
  return exitCodes.ok;
}

function describeEvent(e: EventDetail, withBody: boolean): string {
  const facts: Array<[string, string | undefined]> = [
    ['event', e.id],
    ['kind', e.kind],
    ['builder', e.builder],
    ['build', e.build === undefined ? undefined : String(e.build)],
    ['received', localTime(e.receivedAt)],
  ];
  const lines = [factColumns(facts), ''];
  lines.push(
    e.outcomes
      ? alignedTable(
          ['REPORTER', 'OUTCOME', 'REASON'],
          e.outcomes.map((o) => [o.reporter, o.status, o.reason ?? '']),
        )
      : 'outcomes: none yet (the event is being dispatched)',
  );
  lines.push('', e.deliveryList.length ? deliveriesTable(e.deliveryList) : 'deliveries: none');
  if (withBody) lines.push('', JSON.stringify(e.body, null, 2));
  return lines.join('\n');
}

function redeliver(values: Values, id: string, io: Io): number {
  const reporter = stringOption(values, 'reporter');
  withLedger(values, io, (ledger) => {
    if (!ledger.event(id)) throw new BbrError('BBR_LEDGER_NOT_FOUND', `no event ${id} in the ledger`);
    if (reporter !== undefined) checkReporter(ledger, id, reporter);
    ledger.requestRedelivery(id, reporter);
  });
  const asked = defined({ eventId: id, reporter });
  print(io, values, { asked }, () =>
    [`redelivery asked: event ${id} to ${reporter ?? 'every reporter'}`, PICKED_UP].join('\n'),
  );
  return exitCodes.ok;
}

/**
 * A mistyped reporter would only be logged by the service: refuse a name the ledger never saw (the
 * reporters that had the event, and every reporter with a delivery).
 */
function checkReporter(ledger: SqliteLedger, eventId: string, reporter: string): void {
  const known = new Set([
    ...(ledger.event(eventId)?.outcomes ?? []).map((o) => o.reporter),
    ...Object.keys(ledger.tally()),
  ]);
  if (!known.has(reporter))
    throw new BbrError(
      'BBR_LEDGER_NOT_FOUND',
      `no reporter "${reporter}" in the ledger (reporters: ${[...known].sort().join(', ') || 'none'})`,
    );
}
