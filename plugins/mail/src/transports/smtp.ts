/**
 * MailNotifier's sendMail (mail.md §8) with nodemailer: one connection per mail to
 * `relayhost:smtpPort`, implicit TLS with `useSmtps`, STARTTLS whenever offered and required with
 * `useTls`, AUTH only when both smtpUser and smtpPassword are set. The envelope is the payload's,
 * never re-read from the headers.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Transporter } from 'nodemailer';
import type { MailPayload } from '../message.js';
import { smtpSendError } from './smtp-errors.js';
import type { MailTransport } from './transport.js';

export interface SmtpSettings {
  host: string;
  port: number;
  useTls: boolean;
  useSmtps: boolean;
  user?: string;
  password?: string;
  /** Absolute path of a PEM CA file. */
  ca?: string;
  verify: boolean;
  timeoutMs: number;
}

export function smtpTransport(settings: SmtpSettings): MailTransport {
  const auth = settings.user && settings.password ? { user: settings.user, pass: settings.password } : undefined;
  const options = {
    host: settings.host,
    port: settings.port,
    secure: settings.useSmtps,
    requireTLS: settings.useTls,
    ...(auth ? { auth } : {}),
    tls: {
      // SNI and certificate names are host names; for an IP address Node checks the certificate's IP entries.
      ...(isIP(settings.host) ? {} : { servername: settings.host }),
      rejectUnauthorized: settings.verify,
      ...(settings.ca ? { ca: readFileSync(settings.ca, 'utf8') } : {}),
    },
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
    // nodemailer must not log: its debug output would carry the AUTH exchange.
    logger: false,
    debug: false,
  };
  // nodemailer (39 modules) is imported at the first mail, not when the service starts; the CA file is read above.
  let transporter: Promise<Transporter> | undefined;
  const transporterNow = () => (transporter ??= import('nodemailer').then((n) => n.createTransport(options)));
  const context = {
    host: settings.host,
    port: settings.port,
    ...(settings.user ? { user: settings.user } : {}),
    ...(settings.password ? { password: settings.password } : {}),
  };
  return {
    description: `SMTP ${settings.host}:${settings.port}${settings.useSmtps ? ' (SMTPS)' : settings.useTls ? ' (STARTTLS required)' : ''}${auth ? ` as ${settings.user}` : ''}`,
    async send(payload: MailPayload) {
      try {
        const info = await (await transporterNow()).sendMail({ envelope: payload.envelope, raw: payload.raw });
        return {
          messageId: payload.messageId,
          accepted: info.accepted,
          rejected: info.rejected,
          response: info.response,
        };
      } catch (error) {
        throw smtpSendError(error, context);
      }
    },
    close: () => void transporter?.then((t) => t.close()),
  };
}
