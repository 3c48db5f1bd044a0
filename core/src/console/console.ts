/**
 * The web console at `/ui/` (config `console`), served by the http source behind its credentials:
 * pages read the ledger, `/ui/stream` tells open pages when to refresh, and the Retry / Redeliver
 * buttons ask the running service through the ledger (`requestRetry`, `requestRedelivery`), the
 * same path `bbreporters deliveries retry` and `events redeliver` take. POSTs need the form's
 * CSRF token and a same-origin Origin or Referer; a read-only console shows no buttons and
 * refuses them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../diagnostics/logger.js';
import type { ConsoleConfig } from '../generated/schemas.js';
import type { LedgerQueries } from '../ledger/ledger.js';
import type { ServiceEndpoint } from '../sources/source.js';
import { CONSOLE_CSS, CONSOLE_JS } from './assets.js';
import { CsrfGuard } from './csrf.js';
import { html, type Html } from './html.js';
import { deliveryPath, eventPath, page, UI, type PageContext, type Section } from './layout.js';
import { ChangeWatcher, ledgerFingerprint, serveStream } from './live.js';
import { deliveriesPage, deliveryPage, eventPage, eventsPage, RECENT, reportersPage, type NOTICES } from './pages.js';
import type { Hold } from '../deliveries/deliveries.js';

export interface ConsoleOptions {
  /** The ledger of the running service (undefined until it runs). */
  ledger: () => LedgerQueries | undefined;
  /** The configured reporters' names, in config order. */
  reporters: () => readonly string[];
  /** The waits remotes asked for (the delivery queue's `holdsNow`). */
  holds: () => readonly Hold[];
  /** Masks the service's secrets in text shown. */
  mask: (text: string) => string;
  readOnly: boolean;
  logger: Logger;
}

/** Config `console`: undefined when the console is off (the default), else whether it is read-only. */
export function consoleSettings(config: ConsoleConfig | undefined): { readOnly: boolean } | undefined {
  if (config === undefined || config === false) return undefined;
  if (config === true) return { readOnly: false };
  return config.enabled === false ? undefined : { readOnly: config.readOnly === true };
}

/** A form's body is a few short fields: anything larger is not the console's. */
const MAX_FORM_BYTES = 4096;

/**
 * Pages allow only the console's own style sheet, script and requests, so markup that slipped
 * past escaping could not run script, and no other site may frame them.
 */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

class ConsoleRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function consoleEndpoint(options: ConsoleOptions): ServiceEndpoint {
  const csrf = new CsrfGuard();
  const watcher = new ChangeWatcher(ledgerFingerprint(options.ledger, options.holds, RECENT));
  return {
    path: UI,
    methods: ['GET', 'POST'],
    handle: async (req, res, url) => {
      try {
        if (req.method === 'POST') await act(req, res, url, options, csrf);
        else show(req, res, url, options, csrf, watcher);
      } catch (error) {
        if (!(error instanceof ConsoleRefusal)) throw error;
        options.logger.warn({ status: error.status, path: url.pathname, reason: error.message }, 'console: refused');
        // The rest of a refused body is not wanted: read and dropped, and the connection closed after answering.
        if (!req.complete) req.resume();
        send(req, res, error.status, page('Refused', undefined, refusalBody(error)), !req.complete);
      }
    },
  };
}

function refusalBody(refusal: ConsoleRefusal): Html {
  return html`<h1>${refusal.status}: ${refusal.message}</h1>
    <p><a href="${UI}">Back to the console</a></p>`;
}

function show(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: ConsoleOptions,
  csrf: CsrfGuard,
  watcher: ChangeWatcher,
): void {
  const path = url.pathname.replace(/^\/ui\/?/, '');
  if (path === 'console.css') return sendAsset(req, res, 'text/css', CONSOLE_CSS);
  if (path === 'console.js') return sendAsset(req, res, 'text/javascript', CONSOLE_JS);
  if (path === 'stream') return req.method === 'HEAD' ? void res.writeHead(200).end() : serveStream(req, res, watcher);
  const ledger = ledgerOf(options);
  const ctx: PageContext = {
    readOnly: options.readOnly,
    token: (action) => csrf.token(action),
    here: `${url.pathname}${url.search}`,
    mask: options.mask,
  };
  const [what, id, more] = path.split('/');
  let title: string;
  let section: Section | undefined;
  let body: Html;
  if (path === '') [title, section, body] = ['Events', 'events', eventsPage(ctx, ledger, url)];
  else if (path === 'deliveries')
    [title, section, body] = ['Deliveries', 'deliveries', deliveriesPage(ctx, ledger, url)];
  else if (path === 'reporters')
    [title, section, body] = ['Reporters', 'reporters', reportersPage(ledger, options.reporters(), options.holds())];
  else if (what === 'deliveries' && id && more === undefined) {
    const delivery = ledger.delivery(decoded(id));
    if (!delivery) throw new ConsoleRefusal(404, `no delivery ${decoded(id)} in the ledger`);
    [title, section, body] = [`Delivery ${delivery.id}`, 'deliveries', deliveryPage(ctx, delivery, url)];
  } else if (what === 'events' && id && more === undefined) {
    const event = ledger.event(decoded(id));
    if (!event) throw new ConsoleRefusal(404, `no event ${decoded(id)} in the ledger`);
    [title, section, body] = [`Event ${event.id}`, 'events', eventPage(ctx, event, options.reporters(), url)];
  } else throw new ConsoleRefusal(404, `no such console page: ${url.pathname}`);
  // Live refresh asks for the part that changes only.
  const fragment = req.headers['x-console-fragment'] === '1';
  send(req, res, 200, fragment ? body.text : page(title, section, body));
}

/** POST /ui/deliveries/ID/retry, POST /ui/events/ID/redeliver (field `reporter`: one reporter, else all). */
async function act(req: IncomingMessage, res: ServerResponse, url: URL, options: ConsoleOptions, csrf: CsrfGuard) {
  const [what, id, verb, ...rest] = url.pathname.replace(/^\/ui\/?/, '').split('/');
  const action =
    what === 'deliveries' && verb === 'retry' && id && !rest.length
      ? `${deliveryPath(decoded(id))}/retry`
      : what === 'events' && verb === 'redeliver' && id && !rest.length
        ? `${eventPath(decoded(id))}/redeliver`
        : undefined;
  if (!action) throw new ConsoleRefusal(404, `nothing to post to at ${url.pathname}`);
  if (options.readOnly) throw new ConsoleRefusal(403, 'the console is read-only (config console.readOnly)');
  const form = await readForm(req);
  const refused = csrf.refusal(req, action, form.get('token') ?? undefined);
  if (refused) throw new ConsoleRefusal(403, refused);
  const ledger = ledgerOf(options);
  let notice: keyof typeof NOTICES;
  if (what === 'deliveries') {
    const [answer] = ledger.requestRetry([decoded(id!)]);
    if (answer?.refused) throw new ConsoleRefusal(409, `delivery ${decoded(id!)} cannot be retried: ${answer.refused}`);
    options.logger.info({ deliveryId: decoded(id!) }, 'console: delivery retry asked');
    notice = 'retry';
  } else {
    const eventId = decoded(id!);
    if (!ledger.event(eventId)) throw new ConsoleRefusal(404, `no event ${eventId} in the ledger`);
    const reporter = form.get('reporter') || undefined;
    if (reporter !== undefined && !options.reporters().includes(reporter))
      throw new ConsoleRefusal(400, `no reporter named ${reporter} is configured`);
    ledger.requestRedelivery(eventId, reporter);
    options.logger.info({ eventId, reporter }, 'console: redelivery asked');
    notice = 'redeliver';
  }
  // Back to the page the button was on (only a console page), saying what was asked.
  const back = new URL(form.get('back') ?? action, 'http://console.invalid');
  const to =
    back.origin === 'http://console.invalid' && back.pathname.startsWith(UI) ? back : new URL(action, back.origin);
  to.searchParams.set('notice', notice);
  res.writeHead(303, { location: `${to.pathname}${to.search}`, 'content-length': 0 }).end();
}

function ledgerOf(options: ConsoleOptions): LedgerQueries {
  const ledger = options.ledger();
  if (!ledger) throw new ConsoleRefusal(503, 'the delivery ledger is not open');
  return ledger;
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ConsoleRefusal(400, 'the path is not valid percent-encoding');
  }
}

/** An urlencoded form, refused past MAX_FORM_BYTES (whether Content-Length says so or the chunks do). */
function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded')
    throw new ConsoleRefusal(415, 'post the console form (application/x-www-form-urlencoded)');
  const tooLarge = () => new ConsoleRefusal(413, `the form is larger than ${MAX_FORM_BYTES} bytes`);
  if (Number(req.headers['content-length']) > MAX_FORM_BYTES) throw tooLarge();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_FORM_BYTES) return void chunks.push(chunk);
      req.off('data', onData);
      reject(tooLarge());
    };
    req.on('data', onData);
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', () => reject(new ConsoleRefusal(400, 'the form could not be read')));
  });
}

function send(req: IncomingMessage, res: ServerResponse, status: number, text: string, close = false): void {
  res.writeHead(status, {
    ...PAGE_HEADERS,
    ...(close ? { connection: 'close' } : {}),
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    vary: 'x-console-fragment',
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}

function sendAsset(req: IncomingMessage, res: ServerResponse, type: string, text: string): void {
  res.writeHead(200, {
    'content-type': `${type}; charset=utf-8`,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'max-age=300',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}
