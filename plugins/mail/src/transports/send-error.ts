/**
 * Why a mail could not be sent, in the form core's delivery queue reads: `retryable` says
 * whether another try can help (server down, 4xx reply, timeout) or not (5xx reply, bad
 * credentials, TLS required but refused). Messages never carry credentials.
 */
export class MailSendError extends Error {
  override readonly name = 'MailSendError';
  constructor(
    message: string,
    readonly retryable: boolean,
    /** nodemailer's code (ECONNECTION, EAUTH, …) or the file system's (ENOSPC, …). */
    readonly code?: string,
    readonly responseCode?: number,
  ) {
    super(message);
  }
}
