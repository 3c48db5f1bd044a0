/**
 * Buildbot's push notifiers (PushoverNotifier, PushjetNotifier) written once: a finished build
 * that passes the reporter's filters, or a watched missing worker, becomes one notification with
 * a title, a message, whether it is html and the status key its priority or level is looked up
 * by. A plugin gives only the request that carries it to its service.
 */
import type { BuildFinishedEvent, BuildPayload, Worker, WorkerMissingEvent } from '../events/events.js';
import { statusToString } from '../events/results.js';
import type {
  FormatterOptions,
  Handler,
  MissingWorkerOptions,
  PluginContext,
  ReporterHandlers,
} from '../plugin-api.js';
import { statusKeyOf, type StatusKey } from './status-key.js';
import { isWatchedWorker, type WatchedWorkers } from './watched-workers.js';

/**
 * Buildbot HEAD's default one-line html message (pushover.py, pushjet.py) in ejs. HEAD's Jinja
 * text lacks the space before "of" (`…</a>of <i>…`), a bug v1.x's template did not have: it is
 * not copied.
 */
export const pushNotificationTemplate =
  'The Buildbot has detected a <a href="<%= build_url %>"><%= status_detected %></a> of <i><%= buildername %></i> while building <%= projects %> on <%= workername %>.';

export interface PushNotifierOptions {
  messageFormatter?: FormatterOptions;
  messageFormatterMissingWorker?: MissingWorkerOptions;
  /** Default null: no missing-worker notification (v1.x's default; HEAD's default generators have none). */
  watchedWorkers?: WatchedWorkers;
}

export interface PushNotification {
  title: string;
  message: string;
  /** The formatter's template type is html. */
  html: boolean;
  /** What `priorities` / `levels` are looked up by; none for a SKIPPED or RETRY build. */
  status: StatusKey | undefined;
}

export type PushNotifierHandlers = Required<Pick<ReporterHandlers, 'needs'>> & {
  buildFinished: Handler<BuildFinishedEvent>;
  workerMissing: Handler<WorkerMissingEvent>;
};

/** The user names a template of their own (else Buildbot's one-line html one applies). */
const hasOwnTemplate = (options: FormatterOptions) =>
  options.template !== undefined ||
  options.template_filename !== undefined ||
  options.template_name !== undefined ||
  options.template_dir !== undefined;

/** BuildStatusGenerator's subject when the formatter renders none (its default template has none). */
const generatorSubject = (build: BuildPayload, title: string) =>
  `Buildbot ${statusToString(build.results)} in ${title} on ${build.builder.name}`;

/** The handlers of a push notifier; `notify` turns each notification into the service's delivery. */
export function pushNotifierHandlers(
  options: PushNotifierOptions,
  ctx: PluginContext,
  notify: (notification: PushNotification) => void,
): PushNotifierHandlers {
  const formatterOptions = options.messageFormatter ?? {};
  const ownTemplate = hasOwnTemplate(formatterOptions);
  const formatter = ctx.formatter.create(
    ownTemplate ? formatterOptions : { template: pushNotificationTemplate, template_type: 'html', ...formatterOptions },
  );
  const missingWorkerFormatter = ctx.formatter.createMissingWorker(options.messageFormatterMissingWorker ?? {});
  const watched = options.watchedWorkers ?? null;

  async function buildFinished(build: BuildPayload): Promise<void> {
    const formatted = await formatter.formatBuild(build);
    if (formatted.body === '') {
      ctx.skip(
        `the message formatter gave an empty message for build ${build.number} of ${build.builder.name}: nothing to send`,
      );
      return;
    }
    notify({
      title: formatted.subject ?? generatorSubject(build, ctx.config.title),
      message: formatted.body,
      html: formatted.type === 'html',
      status: statusKeyOf(build.results),
    });
  }

  async function workerMissing(worker: Worker): Promise<void> {
    if (!isWatchedWorker(watched, worker.name)) {
      ctx.skip(`worker ${worker.name} is not in watchedWorkers: no missing-worker notification`);
      return;
    }
    const formatted = await missingWorkerFormatter.formatWorkerMissing(worker);
    notify({
      title: formatted.subject ?? `Buildbot worker ${worker.name} missing`,
      message: formatted.body,
      html: formatted.type === 'html',
      status: 'worker_missing',
    });
  }

  return {
    buildFinished: ({ payload }) => buildFinished(payload),
    workerMissing: ({ payload }) => workerMissing(payload.worker),
    // The default message reads only the previous build (status_detected); a user's template may
    // use the blamelist, and the steps and logs it asks for.
    needs: [
      'prev_build',
      ...(ownTemplate ? (['blamelist', 'changes'] as const) : []),
      ...(formatter.wants.steps ? (['steps'] as const) : []),
      ...(formatter.wants.logs ? (['logs'] as const) : []),
    ],
  };
}
