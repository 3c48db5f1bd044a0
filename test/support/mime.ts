/**
 * Reads received mails in tests: headers (unfolded, RFC 2047 words decoded), the text body and
 * the attachments, decoding 7bit, quoted-printable and base64. Small and strict on purpose: a
 * message it cannot read is a failing test, not a skipped check.
 */

export interface MimePart {
  /** Header names lower-cased; every occurrence kept in order. */
  headers: Array<[string, string]>;
  header(name: string): string | undefined;
  all(name: string): string[];
  /** Decoded content (UTF-8), line ends as LF. */
  content: string;
  parts: MimePart[];
}

export interface ParsedMail extends MimePart {
  subject: string;
  /** The first text/plain or text/html part that is not an attachment. */
  text: string;
  contentType: string;
  attachments: Array<{ filename: string; contentType: string; content: string; disposition: string }>;
}

/** RFC 2047 encoded-words (UTF-8, B or Q), adjacent words joined. */
export function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return Buffer.from(
        body
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      ).toString('utf8');
    default:
      return body;
  }
}

function param(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  const star = new RegExp(`;\\s*${name}\\*=(?:utf-8'')?([^;]+)`, 'i').exec(value);
  if (star) return decodeURIComponent(star[1].trim());
  const m = new RegExp(`;\\s*${name}=("((?:[^"\\\\]|\\\\.)*)"|[^;\\s]+)`, 'i').exec(value);
  return m ? decodeWords(m[2] ?? m[1]) : undefined;
}

export function parsePart(raw: string): MimePart {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split + 4);
  const headers: Array<[string, string]> = [];
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line) && headers.length) headers[headers.length - 1][1] += line.replace(/^[ \t]+/, ' ');
    else if (line) {
      const colon = line.indexOf(':');
      headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
    }
  }
  const all = (name: string) => headers.filter(([k]) => k === name.toLowerCase()).map(([, v]) => v);
  const header = (name: string) => all(name)[0];
  const type = header('content-type') ?? 'text/plain';
  let parts: MimePart[] = [];
  let content = '';
  if (/^multipart\//i.test(type)) {
    const boundary = param(type, 'boundary')!;
    const sections = body.split(`--${boundary}`);
    parts = sections.slice(1, -1).map((s) => parsePart(s.replace(/^\r\n/, '').replace(/\r\n$/, '')));
  } else content = decodeBody(body, header('content-transfer-encoding')).replace(/\r\n/g, '\n');
  return { headers, header, all, content, parts };
}

export function parseMail(raw: string): ParsedMail {
  const root = parsePart(raw);
  const leaves: MimePart[] = [];
  const walk = (p: MimePart) => (p.parts.length ? p.parts.forEach(walk) : leaves.push(p));
  walk(root);
  const isAttachment = (p: MimePart) => /^attachment/i.test(p.header('content-disposition') ?? '');
  const body = leaves.find((p) => !isAttachment(p));
  return {
    ...root,
    subject: decodeWords(root.header('subject') ?? ''),
    text: body?.content ?? '',
    contentType: root.header('content-type') ?? '',
    attachments: leaves.filter(isAttachment).map((p) => ({
      filename: param(p.header('content-disposition'), 'filename') ?? param(p.header('content-type'), 'name') ?? '',
      contentType: p.header('content-type') ?? '',
      content: p.content,
      disposition: p.header('content-disposition') ?? '',
    })),
  };
}
