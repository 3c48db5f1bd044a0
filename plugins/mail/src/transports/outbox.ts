/**
 * The outbox transport: one `.eml` file per mail in a folder, for trying bbreporters without an
 * SMTP server and for handing mail to another program. Each file is the message as it would be
 * sent, after `Return-Path` / `X-Envelope-To` lines carrying the envelope (the missing-worker mail
 * has no To header). Files appear whole (written, then renamed) and a retry rewrites the same
 * file, so one mail is one file.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MailPayload } from '../message.js';
import { MailSendError } from './send-error.js';
import type { MailTransport } from './transport.js';

/** Out of space or descriptors: worth another try; anything else (permissions, a file in the way) is not. */
const transientFsCodes = new Set(['ENOSPC', 'EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EIO']);

/** `<20261123T194948Z>-<message-id local part>.eml`: sorts by time, unique per message. */
export function outboxFileName(payload: MailPayload): string {
  const stamp = payload.date.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const id = payload.messageId
    .replace(/^<|>$/g, '')
    .split('@')[0]
    .replace(/[^A-Za-z0-9._-]/g, '_');
  return `${stamp}-${id}.eml`;
}

export function outboxTransport(dir: string): MailTransport {
  return {
    description: `outbox folder ${dir}`,
    async send(payload: MailPayload) {
      const file = join(dir, outboxFileName(payload));
      const text = `Return-Path: <${payload.envelope.from}>\r\nX-Envelope-To: ${payload.envelope.to.join(', ')}\r\n${payload.raw}`;
      try {
        await mkdir(dir, { recursive: true });
        await writeFile(`${file}.tmp`, text);
        await rename(`${file}.tmp`, file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new MailSendError(
          `outbox ${dir}: could not write ${file} (${code ?? 'error'}: ${(error as Error).message})`,
          transientFsCodes.has(code ?? ''),
          code,
        );
      }
      return { messageId: payload.messageId, file };
    },
    close: () => undefined,
  };
}
