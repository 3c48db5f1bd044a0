/**
 * What every console page shares: the page shell (navigation, the live-refresh script), and the
 * pieces several pages show (a state badge, a time, a delivery table, a button that posts).
 */
import type { DeliveryRecord } from '../ledger/ledger.js';
import { html, type Html } from './html.js';

/** Where the console lives on the http source's server. */
export const UI = '/ui/';

/** What a page needs besides the ledger. */
export interface PageContext {
  readOnly: boolean;
  /** The CSRF token of a form posting to `action` (a path). */
  token(action: string): string;
  /** This page's path and query: where its forms come back to after posting. */
  here: string;
  /** Masks the service's secrets in free text shown (errors, answers, requests, event bodies). */
  mask(text: string): string;
}

export type Section = 'events' | 'deliveries' | 'reporters';

/** The whole page; `body` goes in `#live`, the part live refresh fetches again (see `CONSOLE_JS`). */
export function page(title: string, section: Section | undefined, body: Html): string {
  const nav = (to: string, name: Section, label: string) =>
    html`<a href="${to}" class="${section === name ? 'here' : ''}">${label}</a>`;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width" />
        <title>${title} · bbreporters</title>
        <link rel="stylesheet" href="${UI}console.css" />
      </head>
      <body data-live="off">
        <header>
          <strong>bbreporters</strong
          >${nav(UI, 'events', 'Events')}${nav(`${UI}deliveries`, 'deliveries', 'Deliveries')}${nav(`${UI}reporters`, 'reporters', 'Reporters')}<span
            class="live"
            >● live</span
          >
        </header>
        <main id="live">${body}</main>
        <script src="${UI}console.js"></script>
      </body>
    </html> `.text;
}

export function time(ms: number | undefined): Html {
  if (ms === undefined) return html``;
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace('T', ' ')}</time>`;
}

export function badge(state: string): Html {
  return html`<span class="state ${state}">${state}</span>`;
}

export const deliveryPath = (id: string) => `${UI}deliveries/${encodeURIComponent(id)}`;
export const eventPath = (id: string) => `${UI}events/${encodeURIComponent(id)}`;

/** A value as text: strings as they are, anything else as JSON, cut to `max` characters, secrets masked. */
export function shown(ctx: PageContext, value: unknown, max = 500): string {
  if (value === undefined) return '';
  const text = ctx.mask(typeof value === 'string' ? value : JSON.stringify(value));
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

/** A button posting to `action` with the CSRF token (and `fields`); nothing in read-only mode. */
export function postButton(ctx: PageContext, action: string, label: string, fields: Record<string, string> = {}): Html {
  if (ctx.readOnly) return html``;
  const hidden = Object.entries({ ...fields, back: ctx.here, token: ctx.token(action) }).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
  );
  return html`<form class="inline" method="post" action="${action}">${hidden}<button>${label}</button></form>`;
}

/** Open and dead deliveries can be sent again; sent and superseded ones are redelivered through their event. */
export function retryButton(ctx: PageContext, delivery: DeliveryRecord): Html {
  if (delivery.state === 'sent' || delivery.state === 'superseded') return html``;
  return postButton(ctx, `${deliveryPath(delivery.id)}/retry`, 'Retry');
}

/** A table: its class, the header row, and the body rows. */
export function table(className: string, headers: readonly string[], rows: readonly Html[]): Html {
  return html`<table class="${className}">
    <thead>
      <tr>
        ${headers.map((h) => html`<th>${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

export function deliveryTable(ctx: PageContext, deliveries: readonly DeliveryRecord[]): Html {
  if (!deliveries.length) return html`<p class="muted">No deliveries.</p>`;
  const rows = deliveries.map(
    (d) =>
      html`<tr data-delivery="${d.id}">
        <td>${time(d.updatedAt)}</td>
        <td>${d.reporter}</td>
        <td>${badge(d.state)}</td>
        <td>${d.attempts}</td>
        <td><a href="${deliveryPath(d.id)}">${shown(ctx, d.target, 120)}</a></td>
        <td class="error">${d.state === 'sent' || d.state === 'superseded' ? '' : shown(ctx, d.lastError, 300)}</td>
        <td>${d.eventId ? html`<a href="${eventPath(d.eventId)}">event</a>` : ''} ${retryButton(ctx, d)}</td>
      </tr>`,
  );
  return table('deliveries', ['updated', 'reporter', 'state', 'attempts', 'target', 'last error', ''], rows);
}
