/**
 * MailNotifier's decisions (what Buildbot's generators and createEmail do): for a finished
 * build, a finished buildset (buildSetSummary) or a missing worker, render the message with
 * core's formatter, pick the subject, the recipients, the extra headers and the attachments,
 * and hand the finished mail to core as one delivery.
 */
import {
  isWatchedWorker,
  responsibleUsers,
  statusToString,
  type BuildPayload,
  type Buildset,
  type BuildsetPayload,
  type FormattedMessage,
  type MessageFormatter,
  type MissingWorkerFormatter,
  type PluginContext,
  type Worker,
} from '@bbreporters/core';
import type { Mailbox } from './addresses.js';
import { logAttachments, patchAttachments } from './attachments.js';
import type { MailOptions } from './generated/options.js';
import { composeMessage } from './message.js';
import {
  configuredAddresses,
  interestedAddresses,
  processRecipients,
  type Recipients,
  type Warn,
} from './recipients.js';
import type { MailSettings } from './settings.js';
import { defaultSubject, isEjsSubject, renderSubject, type SubjectValues } from './subject.js';

interface HeaderTemplate {
  name: string;
  value: string;
  /** Set when the value is an ejs template. */
  template?: MessageFormatter;
}

/** A rendered extraHeaders value beyond this is left out (logged): servers refuse header lines far shorter than a megabyte. */
export const MAX_HEADER_CHARS = 4000;
export class Mailer {
  private readonly formatter: MessageFormatter;
  private readonly missingWorkerFormatter: MissingWorkerFormatter;
  /** A %-format subject that replaces the formatter's default subject. */
  private readonly percentSubject?: string;
  private readonly headers: HeaderTemplate[];
  private readonly warn: Warn;

  constructor(
    private readonly options: MailOptions,
    private readonly settings: MailSettings,
    private readonly ctx: PluginContext,
  ) {
    const mf = options.messageFormatter ?? {};
    const formatterHasSubject = mf.subject !== undefined || mf.subject_filename !== undefined;
    // An ejs `subject` becomes the formatter's subject template: same variables as the body.
    const ejsSubject = !formatterHasSubject && options.subject !== undefined && isEjsSubject(options.subject);
    this.formatter = ctx.formatter.create(ejsSubject ? { ...mf, subject: options.subject } : mf);
    if (!formatterHasSubject && !ejsSubject && options.subject !== undefined) this.percentSubject = options.subject;
    this.missingWorkerFormatter = ctx.formatter.createMissingWorker(options.messageFormatterMissingWorker ?? {});
    this.headers = Object.entries(options.extraHeaders ?? {}).map(([name, value]) =>
      // A header template renders as a body: no subject wanted.
      value.includes('<%')
        ? { name, value, template: ctx.formatter.create({ template: value, subject: '' }) }
        : { name, value },
    );
    this.warn = (fields, message) => ctx.logger.warn(fields, message);
  }

  async buildFinished(build: BuildPayload): Promise<void> {
    const formatted = await this.formatter.formatBuild(build);
    await this.send({
      builds: [build],
      buildset: build.buildset,
      formatted,
      subject: { result: statusToString(build.results), builder: build.builder.name },
      what: `build ${build.number} of ${build.builder.name}`,
    });
  }

  async buildsetFinished(payload: BuildsetPayload): Promise<void> {
    const { buildset } = payload;
    // Buildbot's summary covers (and mails the users of, attaches the logs of) the builds that pass the filters.
    const builds = this.formatter.reportedBuilds(payload);
    const formatted = await this.formatter.formatBuildset(payload, { builds });
    await this.send({
      builds,
      buildset,
      formatted,
      subject: { result: statusToString(buildset.results), builder: 'whole buildset' },
      what: `buildset ${buildset.bsid}`,
    });
  }

  async workerMissing(worker: Worker): Promise<void> {
    if (
      !isWatchedWorker(this.options.watchedWorkers === undefined ? 'all' : this.options.watchedWorkers, worker.name)
    ) {
      this.ctx.skip(`worker ${worker.name} is not in watchedWorkers: no missing-worker mail`);
      return;
    }
    // Buildbot: exactly the worker's notify addresses, in the envelope only (no To header).
    const notify = configuredAddresses(worker.notify ?? [], `the notify addresses of worker ${worker.name}`, this.warn);
    if (notify.length === 0) {
      this.ctx.skip(`missing worker ${worker.name} has no valid notify address: no mail`);
      return;
    }
    const formatted = await this.missingWorkerFormatter.formatWorkerMissing(worker);
    const envelope = [...new Set(notify.map((m) => m.address))];
    await this.deliver(
      { to: [], cc: [], envelope },
      formatted.subject ?? `Buildbot worker ${worker.name} missing`,
      formatted,
      [],
      undefined,
      `missing worker ${worker.name}`,
    );
  }

  private async send(mail: {
    builds: readonly BuildPayload[];
    buildset: Buildset | undefined;
    formatted: FormattedMessage;
    subject: Omit<SubjectValues, 'title' | 'projectName'>;
    what: string;
  }): Promise<void> {
    const values: SubjectValues = { ...mail.subject, title: this.ctx.config.title, projectName: this.ctx.config.title };
    const subject =
      this.percentSubject !== undefined
        ? renderSubject(this.percentSubject, values)
        : (mail.formatted.subject ?? renderSubject(defaultSubject, values));
    const sendToInterestedUsers = this.options.sendToInterestedUsers ?? true;
    const users = sendToInterestedUsers ? [...new Set(mail.builds.flatMap((b) => responsibleUsers(b)))] : [];
    const recipients = await this.recipients(users, sendToInterestedUsers);
    if (recipients.envelope.length === 0) {
      this.ctx.skip(`no recipients for ${mail.what}: ${whyNoRecipients(users, sendToInterestedUsers)}`);
      return;
    }
    await this.deliver(recipients, subject, mail.formatted, mail.builds, mail.buildset, mail.what);
  }

  private async recipients(users: readonly string[], sendToInterestedUsers: boolean): Promise<Recipients> {
    const interested: Mailbox[] = await interestedAddresses(users, this.settings.lookup, this.warn);
    return processRecipients(interested, this.settings.extraRecipients, sendToInterestedUsers);
  }

  private async deliver(
    recipients: Recipients,
    subject: string,
    formatted: FormattedMessage,
    builds: readonly BuildPayload[],
    buildset: Buildset | undefined,
    what: string,
  ): Promise<void> {
    const attachments =
      builds.length === 0
        ? []
        : [
            ...((this.options.addPatch ?? true) ? patchAttachments(buildset) : []),
            ...logAttachments(builds, this.options.addLogs ?? false, this.warn),
          ];
    const payload = await composeMessage({
      from: this.settings.from,
      to: recipients.to,
      cc: recipients.cc,
      envelope: recipients.envelope,
      subject,
      body: formatted.body,
      type: formatted.type,
      headers: await this.renderHeaders(builds),
      attachments,
      date: new Date(),
    });
    this.ctx.logger.info(
      { about: what, to: recipients.envelope, bytes: payload.raw.length },
      `mail about ${what} queued for ${recipients.envelope.join(', ')}`,
    );
    // Every mail must arrive: a newer mail to the same people never replaces one still waiting.
    this.ctx.deliver({ target: `mail:${recipients.envelope.join(',')}`, payload, supersede: false });
  }

  /** extraHeaders: templates are rendered when the mail covers exactly one build (Buildbot renders them only then). */
  private async renderHeaders(builds: readonly BuildPayload[]): Promise<Array<[string, string]>> {
    const out: Array<[string, string]> = [];
    for (const header of this.headers) {
      if (!header.template) out.push([header.name, header.value]);
      else if (builds.length === 1) {
        const value = (await header.template.formatBuild(builds[0])).body;
        // Event data can make a template huge; an SMTP server drops the connection over such a header.
        if (value.length > MAX_HEADER_CHARS)
          this.ctx.logger.warn(
            { header: header.name, length: value.length },
            `extra header left out: it renders to ${value.length} characters (at most ${MAX_HEADER_CHARS})`,
          );
        else out.push([header.name, value]);
      } else
        this.ctx.logger.debug(
          { header: header.name },
          'extra header template not rendered: the mail does not cover exactly one build',
        );
    }
    return out;
  }
}

/** Why a build's mail has nobody to go to, in the options' words. */
function whyNoRecipients(users: readonly string[], sendToInterestedUsers: boolean): string {
  const interested = !sendToInterestedUsers
    ? 'sendToInterestedUsers is off'
    : users.length === 0
      ? 'the build has no responsible user (no change author, no owner)'
      : `no responsible user (${users.join(', ')}) has a valid address after lookup`;
  return `${interested}, and there are no extraRecipients`;
}
