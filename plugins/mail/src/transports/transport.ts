/** Where mails go: an SMTP server, or the outbox folder. */
import type { MailPayload } from '../message.js';

export interface MailTransport {
  /** For the startup log line: where mails go. */
  description: string;
  /** Sends one mail; throws MailSendError. The result is recorded as the delivery's response. */
  send(payload: MailPayload): Promise<unknown>;
  close(): void;
}
