/**
 * @bbreporters/mail: Buildbot's MailNotifier. One mail per finished build (or per finished
 * buildset with buildSetSummary) and one per missing worker, rendered by core's
 * MessageFormatter, sent over SMTP or written to an outbox folder. Core filters events (mode,
 * builders, tags, schedulers, branches) and retries failed sends.
 */
import { definePlugin } from '@bbreporters/core';
import type { MailOptions } from './generated/options.js';
import { Mailer } from './mailer.js';
import type { MailPayload } from './message.js';
import { resolveSettings } from './settings.js';

/** addLogs: true, or a non-empty list of log names. */
const hasLogAttachments = (addLogs: MailOptions['addLogs']) =>
  addLogs === true || (Array.isArray(addLogs) && addLogs.length > 0);

export type { MailOptions } from './generated/options.js';
export type { MailPayload } from './message.js';

export default definePlugin<MailOptions>({
  async setup(options, ctx) {
    const settings = await resolveSettings(options, ctx);
    const mailer = new Mailer(options, settings, ctx);
    const summary = options.buildSetSummary ?? false;
    ctx.logger.info({ transport: settings.transport.description }, `mail goes to ${settings.transport.description}`);
    return {
      buildFinished: async (event) => {
        if (summary) ctx.skip('buildSetSummary is on: one mail per finished buildset, none per build');
        else await mailer.buildFinished(event.payload);
      },
      buildsetFinished: async (event) => {
        if (!summary) ctx.skip('buildSetSummary is off: one mail per finished build, none per buildset');
        else await mailer.buildsetFinished(event.payload);
      },
      workerMissing: async (event) => {
        await mailer.workerMissing(event.payload.worker);
      },
      send: (delivery) => settings.transport.send(delivery.payload as MailPayload),
      // The default body lists each log's URL; the logs' text is fetched only to attach it (addLogs).
      needs: [
        'blamelist',
        'changes',
        'prev_build',
        'steps',
        'logs',
        ...(hasLogAttachments(options.addLogs) ? (['log_contents'] as const) : []),
      ],
      close: () => settings.transport.close(),
    };
  },
});
