/**
 * `bbreporters deliveries`: the deliveries the service's ledger holds (list, show one with its
 * attempts), and asking the running service to send dead or waiting ones again (retry). It works
 * on the ledger file, so also while the service runs; the service picks a retry up within a second.
 */
import { BbrError, isBbrError } from '../diagnostics/errors.js';
import {
  DELIVERY_STATES,
  OPEN_STATES,
  type DeliveryDetail,
  type DeliveryRecord,
  type DeliveryState,
  type RetryAnswer,
} from '../ledger/ledger.js';
import { defined } from '../lang/defined.js';
import { exitCodes, UsageError, write, type Command, type Io, type Values } from './command.js';
import { reportError } from './errors.js';
import {
  LEDGER_OPTION_NAMES,
  ledgerOptionHelp,
  ledgerOptions,
  limitOf,
  localTime,
  print,
  printJson,
  sinceOf,
  stringOption,
  wantsJson,
  withLedger,
} from './ledger-access.js';
import { subcommandOf } from './subcommands.js';
import { alignedTable, factColumns } from './table.js';

const SUBCOMMANDS = {
  list: ['state', 'reporter', 'event', 'since', 'limit'],
  show: [],
  retry: ['failed', 'reporter', 'since'],
} as const;

/** What the command line may name besides the ledger's states: `failed` is `dead`, `open` the three open states. */
const STATE_ALIASES: Record<string, readonly DeliveryState[]> = { failed: ['dead'], open: OPEN_STATES };

/** What a retry or a redelivery tells: it is a request, which the running service serves. */
export const PICKED_UP = 'The running service acts on this within a second; if it is not running, at its next start.';

export const deliveriesCommand: Command = {
  name: 'deliveries',
  summary: "List, show and retry the deliveries in the service's ledger (also while it runs)",
  usage: [
    'bbreporters deliveries list [--state S] [--reporter R] [--event ID] [--since T] [--limit N]',
    '       bbreporters deliveries show ID',
    '       bbreporters deliveries retry ID... | retry --failed [--reporter R] [--since T]',
    '',
    'The ledger is stateDir/ledger.sqlite of the service the config (or --state-dir) belongs to.',
    `States: ${DELIVERY_STATES.join(', ')}; "failed" means dead, "open" queued, retrying and deferred.`,
    'T is an ISO time or a duration back from now (30m, 2h, 7d). Output: a table on a terminal, else JSON.',
  ].join('\n'),
  options: {
    ...ledgerOptions,
    state: { type: 'string' },
    reporter: { type: 'string' },
    event: { type: 'string' },
    since: { type: 'string' },
    limit: { type: 'string' },
    failed: { type: 'boolean' },
  },
  optionHelp: {
    ...ledgerOptionHelp,
    state: 'list: only deliveries in these states (comma-separated).',
    reporter: "list, retry --failed: only this reporter's deliveries.",
    event: "list: only this event's deliveries.",
    since: 'list, retry --failed: only deliveries updated since T.',
    limit: 'list: at most N, newest first (default 100).',
    failed: 'retry: every dead delivery (with --reporter, --since: those matching).',
  },
  allowPositionals: true,
  async run(values, positionals, io) {
    const sub = subcommandOf('deliveries', SUBCOMMANDS, LEDGER_OPTION_NAMES, values, positionals);
    try {
      if (sub === 'list') return list(values, positionals, io);
      if (sub === 'show') return show(values, positionals, io);
      return retry(values, positionals, io);
    } catch (error) {
      if (isBbrError(error)) return reportError(error, io);
      throw error;
    }
  },
};

function list(values: Values, positionals: string[], io: Io): number {
  if (positionals.length) throw new UsageError(`"deliveries list" takes no ids (got ${positionals.join(' ')})`);
  const filter = defined({
    state: typeof values.state === 'string' ? statesOf(values.state) : undefined,
    reporter: stringOption(values, 'reporter'),
    eventId: stringOption(values, 'event'),
    since: sinceOf(values),
    limit: limitOf(values),
  });
  const deliveries = withLedger(values, io, (ledger) => ledger.deliveries(filter));
  print(io, values, deliveries, () => (deliveries.length ? deliveriesTable(deliveries) : 'no deliveries match'));
  return exitCodes.ok;
}

/** Deliveries one a line (`deliveries list`, `events show`). */
export function deliveriesTable(deliveries: readonly DeliveryRecord[]): string {
  return alignedTable(
    ['ID', 'STATE', 'REPORTER', 'ATTEMPTS', 'UPDATED', 'TARGET', 'LAST ERROR'],
    deliveries.map((d) => [
      d.id,
      d.state,
      d.reporter,
      String(d.attempts),
      localTime(d.updatedAt),
      d.target,
      d.lastError ?? '',
    ]),
  );
}

function show(values: Values, positionals: string[], io: Io): number {
  if (positionals.length !== 1) throw new UsageError('"deliveries show" takes one delivery id');
  const [id] = positionals;
  const detail = withLedger(values, io, (ledger) => ledger.delivery(id));
  if (!detail) throw new BbrError('BBR_LEDGER_NOT_FOUND', `no delivery ${id} in the ledger`);
  print(io, values, detail, () => describeDelivery(detail));
  return exitCodes.ok;
}

function describeDelivery(d: DeliveryDetail): string {
  const facts: Array<[string, string | undefined]> = [
    ['delivery', d.id],
    ['state', d.settledAt === undefined ? d.state : `${d.state} (settled ${localTime(d.settledAt)})`],
    ['reporter', d.reporter],
    ['target', d.target],
    ['event', d.eventId],
    ['attempts', String(d.attempts)],
    ['created', localTime(d.createdAt)],
    ['updated', localTime(d.updatedAt)],
    ['next try', d.nextTryAt === undefined ? undefined : localTime(d.nextTryAt)],
    ['last error', d.lastError],
    ['last answer', d.lastResponse === undefined ? undefined : JSON.stringify(d.lastResponse)],
  ];
  const lines = [factColumns(facts)];
  if (d.attemptList.length)
    lines.push(
      '',
      alignedTable(
        ['ATTEMPT', 'AT', 'RESULT', 'ANSWER', 'ERROR'],
        d.attemptList.map((a) => [
          String(a.attempt),
          localTime(a.at),
          a.ok ? 'sent' : 'failed',
          a.response === undefined ? '' : JSON.stringify(a.response),
          a.error ?? '',
        ]),
      ),
    );
  if (d.request !== undefined)
    lines.push('', 'request (as queued, before credentials; secrets masked):', pretty(d.request));
  return lines.join('\n');
}

/** The request excerpt indented when it is whole JSON; an excerpt cut short is shown as it is. */
function pretty(excerpt: string): string {
  try {
    return JSON.stringify(JSON.parse(excerpt), null, 2);
  } catch {
    return excerpt;
  }
}

function retry(values: Values, positionals: string[], io: Io): number {
  if (values.failed === true && positionals.length)
    throw new UsageError('"deliveries retry" takes either delivery ids or --failed, not both');
  if (values.failed !== true) {
    if (!positionals.length) throw new UsageError('"deliveries retry" needs delivery ids, or --failed');
    const filtering = ['reporter', 'since'].find((o) => values[o] !== undefined);
    if (filtering) throw new UsageError(`--${filtering} selects dead deliveries for "retry --failed"`);
  }
  const since = sinceOf(values);
  const answers = withLedger(values, io, (ledger) => {
    if (values.failed !== true) return ledger.requestRetry(positionals);
    const dead = ledger.deliveries(
      defined({
        state: 'dead' as const,
        reporter: stringOption(values, 'reporter'),
        since,
        limit: Number.MAX_SAFE_INTEGER,
      }),
    );
    return ledger.requestRetry(dead.map((d) => d.id));
  });
  printRetries(io, values, answers);
  return answers.some((a) => a.refused !== undefined) ? exitCodes.invalid : exitCodes.ok;
}

/** JSON `{ asked, refused }`; on a terminal, what was asked on standard output and each refusal on standard error. */
function printRetries(io: Io, values: Values, answers: RetryAnswer[]): void {
  const asked = answers.filter((a) => a.refused === undefined).map((a) => a.id);
  const refused = answers.flatMap((a) => (a.refused === undefined ? [] : [{ id: a.id, reason: a.refused }]));
  if (wantsJson(values, io)) return printJson(io, { asked, refused });
  if (!answers.length) write(io.stdout, 'no dead deliveries match: nothing to retry');
  for (const r of refused) write(io.stderr, `refused ${r.id}: ${r.reason}`);
  if (asked.length) write(io.stdout, [...asked.map((id) => `retry asked: ${id}`), PICKED_UP].join('\n'));
}

function statesOf(text: string): DeliveryState[] {
  return text.split(',').flatMap((word) => {
    const state = word.trim();
    if (STATE_ALIASES[state]) return [...STATE_ALIASES[state]];
    if ((DELIVERY_STATES as readonly string[]).includes(state)) return [state as DeliveryState];
    throw new UsageError(
      `--state "${state}" is not one of: ${[...DELIVERY_STATES, ...Object.keys(STATE_ALIASES)].join(', ')}`,
    );
  });
}
