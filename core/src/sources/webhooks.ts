/**
 * Reporters' web-hooks on the http source's server: `/hooks/<reporter name>` answers with the
 * handler the reporter registered (a Telegram bot's updates). The source's credentials do not
 * apply (the service pushing updates cannot send them); each handler checks its own secret.
 */
import type { WebhookHandler } from '../plugin-api.js';
import type { ServiceEndpoint } from './source.js';

export const WEBHOOK_PATH = '/hooks/';

export class WebhookRoutes {
  private readonly handlers = new Map<string, WebhookHandler>();

  /** @param available whether an http source serves them (else `add` gives no path). */
  constructor(readonly available: boolean) {}

  /** Serves `handle` for the reporter (replacing an earlier one, as a reload does); its path, or undefined without an http source. */
  add(reporter: string, handle: WebhookHandler): string | undefined {
    if (!this.available) return undefined;
    this.handlers.set(reporter, handle);
    return `${WEBHOOK_PATH}${encodeURIComponent(reporter)}`;
  }

  remove(reporter: string): void {
    this.handlers.delete(reporter);
  }

  readonly endpoint: ServiceEndpoint = {
    path: WEBHOOK_PATH,
    methods: ['GET', 'POST'],
    open: true,
    handle: async (req, res, url) => {
      const name = decodeURIComponent(url.pathname.slice(WEBHOOK_PATH.length));
      const handle = this.handlers.get(name);
      if (!handle) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such web-hook"}');
        return;
      }
      await handle(req, res);
    },
  };
}
