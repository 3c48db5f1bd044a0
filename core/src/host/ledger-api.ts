/**
 * The ledger over HTTP, on the http source's server: `GET /deliveries/ID` (a delivery with its
 * attempts: what the ingest answer points to, so a caller can tell "accepted" from "delivered")
 * and `GET /events/ID` (an event with each reporter's outcome and its deliveries). JSON; 404 with
 * the reason when the ledger has no such id.
 */
import type { ServerResponse } from 'node:http';
import type { LedgerQueries } from '../ledger/ledger.js';
import { DELIVERY_PATH, type ServiceEndpoint } from '../sources/source.js';

export const EVENT_PATH = '/events/';

/** The endpoints, reading the ledger the service has once it runs (none in a dry run: 503). */
export function ledgerEndpoints(ledger: () => LedgerQueries | undefined): ServiceEndpoint[] {
  const lookup = (prefix: string, find: (l: LedgerQueries, id: string) => unknown, what: string): ServiceEndpoint => ({
    path: prefix,
    methods: ['GET'],
    handle: async (req, res, url) => {
      const id = decodeURIComponent(url.pathname.slice(prefix.length));
      const queries = ledger();
      if (!queries) return json(res, 503, { error: 'the delivery ledger is not open' }, req.method);
      if (!id) return json(res, 404, { error: `name the ${what}: GET ${prefix}ID` }, req.method);
      const found = find(queries, id);
      if (found === undefined) return json(res, 404, { error: `no ${what} ${id} in the ledger` }, req.method);
      json(res, 200, found, req.method);
    },
  });
  return [
    lookup(DELIVERY_PATH, (l, id) => l.delivery(id), 'delivery'),
    lookup(EVENT_PATH, (l, id) => l.event(id), 'event'),
  ];
}

function json(res: ServerResponse, status: number, body: unknown, method?: string): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(method === 'HEAD' ? undefined : text);
}
