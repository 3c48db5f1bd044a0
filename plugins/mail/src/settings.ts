/**
 * The reporter's options checked beyond the schema, as MailNotifier's constructor does
 * (mail.md §2): every problem is reported at once, at startup, naming the option, so a typo
 * never turns into a lost mail later.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  BbrError,
  importModuleReference,
  isModuleReference,
  type ErrorDetail,
  type PluginContext,
} from '@bbreporters/core';
import addressparser from 'nodemailer/lib/addressparser';
import { parseMailbox, type Mailbox } from './addresses.js';
import type { MailOptions } from './generated/options.js';
import { domainLookup, type Lookup } from './recipients.js';
import { isEjsSubject, subjectProblems } from './subject.js';
import { composedHeaders } from './message.js';
import { outboxTransport } from './transports/outbox.js';
import { smtpTransport } from './transports/smtp.js';
import type { MailTransport } from './transports/transport.js';

export interface MailSettings {
  from: Mailbox;
  extraRecipients: Mailbox[];
  lookup?: Lookup;
  transport: MailTransport;
}

/** The From header is configuration (Buildbot does not validate it): any one address nodemailer can parse, `buildbot@localhost` included. */
function parseFrom(fromaddr: string): Mailbox | undefined {
  const parsed = addressparser(fromaddr, { flatten: true });
  if (parsed.length !== 1 || !/^[^@\s]+@[^@\s]+$/.test(parsed[0].address)) return undefined;
  return parsed[0].name ? { name: parsed[0].name, address: parsed[0].address } : { address: parsed[0].address };
}

const smtpOptionNames = ['relayhost', 'smtpPort', 'useTls', 'useSmtps', 'smtpUser', 'smtpPassword'] as const;

/** smtp when the options say how to reach a server, else the outbox (the embedded default). */
export function transportKind(options: MailOptions): 'smtp' | 'outbox' {
  return options.transport ?? (smtpOptionNames.some((k) => options[k] !== undefined) ? 'smtp' : 'outbox');
}

export async function resolveSettings(options: MailOptions, ctx: PluginContext): Promise<MailSettings> {
  const problems: ErrorDetail[] = [];
  const from = parseFrom(options.fromaddr);
  if (!from) problems.push({ path: 'fromaddr', message: `"${options.fromaddr}" is not one mail address` });

  const extraRecipients: Mailbox[] = [];
  (options.extraRecipients ?? []).forEach((r, i) => {
    const mailbox = parseMailbox(r);
    if (mailbox) extraRecipients.push(mailbox);
    else problems.push({ path: `extraRecipients[${i}]`, message: `extra recipient ${r} is not a valid email` });
  });

  if (options.subject !== undefined && !isEjsSubject(options.subject)) {
    for (const message of subjectProblems(options.subject)) problems.push({ path: 'subject', message });
  }

  for (const name of Object.keys(options.extraHeaders ?? {})) {
    if (composedHeaders.has(name.toLowerCase()))
      problems.push({
        path: `extraHeaders.${name}`,
        message: `${name} is written from the message itself; it cannot be an extra header`,
      });
  }

  let lookup: Lookup | undefined;
  if (options.lookup !== undefined) {
    if (isModuleReference(options.lookup)) {
      try {
        lookup = await importModuleReference<Lookup>(options.lookup, ctx.config.configDir);
      } catch (error) {
        problems.push({ path: 'lookup', message: (error as Error).message });
      }
    } else lookup = domainLookup(options.lookup);
  }

  const ca = options.tlsCa === undefined ? undefined : resolve(ctx.config.configDir, options.tlsCa);
  if (ca && !existsSync(ca)) problems.push({ path: 'tlsCa', message: `${ca} does not exist` });

  if (problems.length || !from) {
    // Core wraps setup errors by message: the problems go in it, each with its option.
    throw new BbrError(
      'BBR_PLUGIN_OPTIONS',
      `invalid options: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      { details: problems },
    );
  }

  const transport =
    transportKind(options) === 'smtp'
      ? smtpTransport({
          host: options.relayhost ?? 'localhost',
          port: options.smtpPort ?? 25,
          useTls: options.useTls ?? false,
          useSmtps: options.useSmtps ?? false,
          ...(options.smtpUser ? { user: options.smtpUser } : {}),
          ...(options.smtpPassword ? { password: options.smtpPassword } : {}),
          ...(ca ? { ca } : {}),
          verify: options.tlsVerify ?? true,
          timeoutMs: options.timeout ?? 10_000,
        })
      : outboxTransport(
          options.outbox
            ? resolve(ctx.config.configDir, options.outbox)
            : resolve(ctx.config.stateDir, 'outbox', ctx.name),
        );
  return { from, extraRecipients, ...(lookup ? { lookup } : {}), transport };
}
