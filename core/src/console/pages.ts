/**
 * The console's pages, each the body that goes in the page shell: recent events and deliveries,
 * deliveries by reporter and state, the reporters, one delivery with its attempts, one event with
 * each reporter's outcome. Everything from the ledger is escaped (`html`) and free text masked.
 */
import {
  DELIVERY_STATES,
  type DeliveryDetail,
  type DeliveryFilter,
  type DeliveryState,
  type EventDetail,
  type EventSummary,
  type LedgerQueries,
} from '../ledger/ledger.js';
import { html, type Html } from './html.js';
import {
  badge,
  deliveryTable,
  eventPath,
  postButton,
  retryButton,
  shown,
  table,
  time,
  UI,
  type PageContext,
} from './layout.js';

/** How many events and deliveries the lists show. */
export const RECENT = 25;

/** A wait a remote asked for (the delivery queue's `holdsNow`). */
import type { Hold } from '../deliveries/deliveries.js';

/** What a POST that went through says on the page it returns to (`?notice=`): fixed texts, nothing from the request. */
export const NOTICES = {
  retry: 'Retry asked: the service sends it again within a second.',
  redeliver: 'Redelivery asked: the service dispatches the event again within a second.',
} as const;

function notice(key: string | null): Html {
  const text = key && Object.hasOwn(NOTICES, key) ? NOTICES[key as keyof typeof NOTICES] : undefined;
  return text ? html`<p class="notice">${text}</p>` : html``;
}

function eventRows(events: readonly EventSummary[]): Html {
  if (!events.length) return html`<p class="muted">No events yet.</p>`;
  const rows = events.map(
    (e) =>
      html`<tr data-event="${e.id}">
        <td>${time(e.receivedAt)}</td>
        <td><a href="${eventPath(e.id)}">${e.kind}</a></td>
        <td>${e.builder}</td>
        <td>${e.build}</td>
        <td>${(e.outcomes ?? []).map((o) => html`${o.reporter} ${badge(o.status)} `)}</td>
        <td>${Object.entries(e.deliveries).map(([state, n]) => html`${badge(state)} ${n} `)}</td>
      </tr>`,
  );
  return table('events', ['received', 'event', 'builder', 'build', 'outcomes', 'deliveries'], rows);
}

export function eventsPage(ctx: PageContext, ledger: LedgerQueries, url: URL): Html {
  return html`${notice(url.searchParams.get('notice'))}
    <h1>Recent events</h1>
    <h2>Deliveries</h2>
    ${deliveryTable(ctx, ledger.deliveries({ limit: RECENT }))}
    <h2>Events</h2>
    ${eventRows(ledger.events({ limit: RECENT }))}`;
}

export function deliveriesPage(ctx: PageContext, ledger: LedgerQueries, url: URL): Html {
  const reporter = url.searchParams.get('reporter') ?? undefined;
  const state = url.searchParams.get('state') ?? undefined;
  const filter: DeliveryFilter = { limit: 200 };
  if (reporter) filter.reporter = reporter;
  if (state && (DELIVERY_STATES as readonly string[]).includes(state)) filter.state = state as DeliveryState;
  const what = [reporter && `reporter ${reporter}`, filter.state && `state ${filter.state}`].filter(Boolean).join(', ');
  return html`${notice(url.searchParams.get('notice'))}
    <h1>Deliveries${what ? ` (${what})` : ''}</h1>
    ${deliveryTable(ctx, ledger.deliveries(filter))}`;
}

export function reportersPage(ledger: LedgerQueries, reporters: readonly string[], holds: readonly Hold[]): Html {
  const tally = ledger.tally();
  const names = [...new Set([...reporters, ...Object.keys(tally)])];
  if (!names.length)
    return html`<h1>Reporters</h1>
      <p class="muted">No reporters.</p>`;
  const count = (reporter: string, state: DeliveryState) => {
    const n = tally[reporter]?.[state] ?? 0;
    const to = `${UI}deliveries?${new URLSearchParams({ reporter, state })}`;
    return n ? html`<td><a href="${to}">${n}</a></td>` : html`<td class="muted">0</td>`;
  };
  const rows = names.map((name) => {
    const own = holds.filter((h) => h.reporter === name);
    return html`<tr data-reporter="${name}">
      <td>${name}${reporters.includes(name) ? '' : html` <span class="muted">(no longer configured)</span>`}</td>
      ${DELIVERY_STATES.map((s) => count(name, s))}
      <td>${own.map((h) => html`<div>${h.whole ? 'every target at ' : ''}${h.key} until ${time(h.until)}</div>`)}</td>
    </tr>`;
  });
  return html`<h1>Reporters</h1>
    ${table('reporters', ['reporter', ...DELIVERY_STATES, 'holds (the remote asked to wait)'], rows)}`;
}

export function deliveryPage(ctx: PageContext, delivery: DeliveryDetail, url: URL): Html {
  const attempts = delivery.attemptList.map(
    (a) =>
      html`<tr>
        <td>${a.attempt}</td>
        <td>${time(a.at)}</td>
        <td>${a.ok ? badge('sent') : badge('failed')}</td>
        <td class="error">${shown(ctx, a.error, 2000)}</td>
        <td class="error">${shown(ctx, a.response, 2000)}</td>
      </tr>`,
  );
  return html`${notice(url.searchParams.get('notice'))}
    <h1>Delivery ${delivery.id} ${badge(delivery.state)} ${retryButton(ctx, delivery)}</h1>
    <dl>
      <dt>reporter</dt>
      <dd>${delivery.reporter}</dd>
      <dt>target</dt>
      <dd>${shown(ctx, delivery.target, 2000)}</dd>
      <dt>event</dt>
      <dd>
        ${delivery.eventId ? html`<a href="${eventPath(delivery.eventId)}">${delivery.eventId}</a>` : html`<span class="muted">none</span>`}
      </dd>
      <dt>created</dt>
      <dd>${time(delivery.createdAt)}</dd>
      <dt>updated</dt>
      <dd>${time(delivery.updatedAt)}</dd>
      ${
        delivery.settledAt !== undefined
          ? html`<dt>settled</dt>
              <dd>${time(delivery.settledAt)}</dd>`
          : ''
      }
      ${
        delivery.nextTryAt !== undefined
          ? html`<dt>next attempt</dt>
              <dd>${time(delivery.nextTryAt)}</dd>`
          : ''
      }
      <dt>supersedes older ones</dt>
      <dd>${delivery.supersede ? 'yes' : 'no'}</dd>
    </dl>
    <h2>Attempts (${delivery.attempts})</h2>
    ${
      attempts.length
        ? table('attempts', ['#', 'at', 'result', 'error', 'response'], attempts)
        : html`<p class="muted">Not attempted yet.</p>`
    }
    <h2>Request (as queued, before credentials are added; secrets masked)</h2>
    ${delivery.request ? html`<pre class="request">${shown(ctx, indented(delivery.request), 8000)}</pre>` : html`<p class="muted">Not kept.</p>`}`;
}

/** JSON laid out to read; an excerpt cut short (no longer JSON) as it is. */
function indented(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function eventPage(ctx: PageContext, event: EventDetail, reporters: readonly string[], url: URL): Html {
  const redeliver = (reporter?: string) =>
    postButton(
      ctx,
      `${eventPath(event.id)}/redeliver`,
      reporter ? 'Redeliver' : 'Redeliver to every reporter',
      reporter ? { reporter } : {},
    );
  const outcomes = event.outcomes ?? [];
  // Reporters configured now (each can be redelivered to), then any that reported on it before.
  const names = [...new Set([...reporters, ...outcomes.map((o) => o.reporter)])];
  const rows = names.map((name) => {
    const o = outcomes.find((x) => x.reporter === name);
    return html`<tr data-reporter="${name}">
      <td>${name}</td>
      <td>${o ? badge(o.status) : html`<span class="muted">none</span>`}</td>
      <td>${shown(ctx, o?.reason, 500)}</td>
      <td>${reporters.includes(name) ? redeliver(name) : html`<span class="muted">no longer configured</span>`}</td>
    </tr>`;
  });
  return html`${notice(url.searchParams.get('notice'))}
    <h1>${event.kind} ${event.builder ?? ''} ${event.build !== undefined ? `#${event.build}` : ''} ${redeliver()}</h1>
    <dl>
      <dt>id</dt>
      <dd>${event.id}</dd>
      <dt>received</dt>
      <dd>${time(event.receivedAt)}</dd>
    </dl>
    <h2>Outcomes</h2>
    ${table('outcomes', ['reporter', 'outcome', 'reason', ''], rows)}
    <h2>Deliveries</h2>
    ${deliveryTable(ctx, event.deliveryList)}
    <details>
      <summary>The event (secrets masked)</summary>
      <pre>${shown(ctx, JSON.stringify(event.body, null, 2), 20_000)}</pre>
    </details>`;
}
