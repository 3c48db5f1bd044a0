/**
 * Builds the whole mail as MailNotifier's createEmail does (mail.md §7), with nodemailer's
 * MailComposer: one text/plain or text/html part, or multipart/mixed with the patches and logs
 * attached. The delivery payload is the finished RFC 5322 text plus its SMTP envelope, so what
 * `preview` shows is byte for byte what is sent, and a retry sends the same message (same
 * Message-ID, same Date).
 */
import type { Mailbox } from './addresses.js';
import type { Attachment } from './attachments.js';
import { headerValue, sendTextAsIs } from './wire-form.js';

/** The delivery payload of a mail. */
export interface MailPayload {
  /** The SMTP envelope: bare addresses (the missing-worker mail has recipients but no To header). */
  envelope: { from: string; to: string[] };
  messageId: string;
  /** The subject as rendered (in `raw` it is RFC 2047 encoded when not ASCII): for people reading a preview. */
  subject: string;
  /** When the mail was made (its Date header), ISO 8601. */
  date: string;
  /** The message: headers, blank line, body (CRLF line ends). */
  raw: string;
}

export interface MessageParts {
  /** The From header as configured (`fromaddr`), parsed. */
  from: Mailbox;
  /** Header recipients; empty for missing-worker mails (envelope only, as in Buildbot). */
  to: readonly Mailbox[];
  cc: readonly Mailbox[];
  /** Bare envelope recipients. */
  envelope: readonly string[];
  subject: string;
  body: string;
  type: 'plain' | 'html';
  /** Extra headers, values already rendered. */
  headers: ReadonlyArray<readonly [string, string]>;
  attachments: readonly Attachment[];
  date: Date;
}

/** Headers MailComposer writes from the message itself; extraHeaders may not add a second one. */
export const composedHeaders = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
]);

/** Line breaks in a header value would start a new header: they become spaces. */
export function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

const address = (m: Mailbox) => (m.name ? { name: m.name, address: m.address } : { name: '', address: m.address });

export async function composeMessage(parts: MessageParts): Promise<MailPayload> {
  // Buildbot ends every body with a blank line.
  const ended = parts.body.endsWith('\n\n') ? parts.body : `${parts.body}\n\n`;
  // CRLF line ends, as SMTP wants them (nodemailer's encoders keep bare LFs).
  const body = ended.replace(/\r?\n/g, '\r\n');
  // nodemailer's composer (18 modules) is imported at the first mail, not when the service starts.
  const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
  const composer = new MailComposer({
    from: address(parts.from),
    ...(parts.to.length ? { to: parts.to.map(address) } : {}),
    ...(parts.cc.length ? { cc: parts.cc.map(address) } : {}),
    date: parts.date,
    ...(parts.type === 'html' ? { html: body } : { text: body }),
    headers: Object.fromEntries(
      [['Subject', parts.subject] as const, ...parts.headers].map(([key, value]) => [
        key,
        headerValue(key, oneLine(value)),
      ]),
    ),
    attachments: parts.attachments.map((a) => ({
      filename: a.filename,
      content: a.content,
      contentType: a.contentType,
      contentDisposition: 'attachment',
    })),
    envelope: { from: parts.from.address, to: [...parts.envelope] },
    // Everything comes from event data: never read a file or a URL named in it.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const node = composer.compile();
  sendTextAsIs(node.childNodes.length ? node.childNodes[0] : node, body, parts.type);
  const messageId = node.messageId();
  const raw = (await node.build()).toString('utf8');
  return {
    envelope: { from: parts.from.address, to: [...parts.envelope] },
    messageId,
    subject: oneLine(parts.subject),
    date: parts.date.toISOString(),
    raw,
  };
}
