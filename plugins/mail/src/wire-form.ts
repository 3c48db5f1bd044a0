/**
 * Buildbot's wire form, where nodemailer lets us have it. MailNotifier builds its mails with
 * Python's email package and registers utf-8 with the SHORTEST header encoding and no body
 * encoding (reporters/mail.py): a non-ASCII header is one unfolded encoded word, `q` or `b`,
 * whichever is shorter; the text goes as it is, 7bit when ASCII, else 8bit; the charset is quoted.
 * nodemailer would fold headers into several words and send long or non-ASCII lines
 * quoted-printable. Beyond RFC 5322's limit of 998 octets a line (2.1.1), nodemailer's safe form stays.
 */
import type MimeNode from 'nodemailer/lib/mime-node';

/** RFC 5322 2.1.1: no line longer than 998 octets, CRLF excluded. */
const MAX_LINE_OCTETS = 998;

const fitsOneLine = (line: string) => Buffer.byteLength(line) <= MAX_LINE_OCTETS;
const isAscii = (text: string) => /^[\x00-\x7f]*$/.test(text);

/** Python's quoprimime header map: letters, digits and -!*+/ stay, a space becomes _. */
const qChar = (byte: number) =>
  /[A-Za-z0-9!*+\-/]/.test(String.fromCharCode(byte))
    ? String.fromCharCode(byte)
    : byte === 0x20
      ? '_'
      : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;

/** Python's Charset('utf-8').header_encode with SHORTEST: one word; base64 only when strictly shorter. */
export function encodedWord(value: string): string {
  // Control characters are encoded too (Python would write them raw): never a NUL or ESC in a header.
  if (/^[\t\x20-\x7e]*$/.test(value)) return value;
  const bytes = Buffer.from(value, 'utf8');
  const q = [...bytes].map(qChar).join('');
  const b = bytes.toString('base64');
  return b.length < q.length ? `=?utf-8?b?${b}?=` : `=?utf-8?q?${q}?=`;
}

type Prepared = { prepared: true; value: string };

/** Headers nodemailer parses and writes itself (addresses, dates): a prepared value would be lost. */
const structuredHeaders = new Set(['from', 'sender', 'to', 'cc', 'bcc', 'reply-to', 'date', 'references']);

/** A header value for MailComposer: Buildbot's one line, or nodemailer's folding when that line would be too long. */
export function headerValue(key: string, value: string): string | Prepared {
  if (structuredHeaders.has(key.toLowerCase())) return value;
  const encoded = encodedWord(value);
  return fitsOneLine(`${key}: ${encoded}`) ? { prepared: true, value: encoded } : value;
}

/**
 * Sends the text part as Buildbot does: unencoded (7bit or 8bit) with `charset="utf-8"`.
 * nodemailer decides the transfer encoding itself and honours only base64 or quoted-printable
 * when asked, so the node's choice is pinned here.
 */
export function sendTextAsIs(node: MimeNode, text: string, type: 'plain' | 'html'): void {
  if (!text.split(/\r?\n/).every(fitsOneLine)) return;
  const encoding = isAscii(text) ? '7bit' : '8bit';
  node.getTransferEncoding = () => encoding;
  // @types/nodemailer types a node header as a string; MimeNode takes { prepared, value } as messages do.
  const prepared: Prepared = { prepared: true, value: `text/${type}; charset="utf-8"` };
  node.setHeader('Content-Type', prepared as unknown as string);
}
