/**
 * Turns nodemailer's errors into MailSendError: a sentence that names the server and what went
 * wrong, whether a retry can help, and nothing secret (the password, or its base64 forms that
 * AUTH PLAIN and AUTH LOGIN put on the wire, are masked wherever they would appear).
 */
import { MailSendError } from './send-error.js';

export interface SmtpErrorContext {
  host: string;
  port: number;
  user?: string;
  password?: string;
}

/** nodemailer's error fields we read. */
interface NodemailerErrorLike {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  originalCode?: string;
}

/** Certificate problems: a configuration error (tlsCa, tlsVerify), not something a retry fixes. */
const certificateCodes = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME|ERR_SSL|ERR_TLS/;

export function maskSecrets(text: string, context: SmtpErrorContext): string {
  const { user = '', password } = context;
  if (!password) return text;
  const forms = [
    password,
    Buffer.from(password).toString('base64'),
    Buffer.from(`\u0000${user}\u0000${password}`).toString('base64'),
    Buffer.from(`${user}\u0000${user}\u0000${password}`).toString('base64'),
  ];
  let out = text;
  for (const form of forms.sort((a, b) => b.length - a.length)) out = out.split(form).join('***');
  return out;
}

export function smtpSendError(error: unknown, context: SmtpErrorContext): MailSendError {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as NodemailerErrorLike;
  const server = `SMTP server ${context.host}:${context.port}`;
  const reply = e.response ? `: ${e.response.trim()}` : '';
  const detail = e.message ?? String(error);
  const code = e.code;
  const make = (message: string, retryable: boolean) =>
    new MailSendError(maskSecrets(message, context), retryable, code, e.responseCode);

  const certificate = certificateCodes.test(e.originalCode ?? '') || certificateCodes.test(detail);
  if (code === 'ETLS' || (certificate && (code === 'ESOCKET' || code === 'ECONNECTION'))) {
    const temporary = e.responseCode !== undefined && e.responseCode >= 400 && e.responseCode < 500;
    return make(
      certificate
        ? `${server}: TLS failed, the server's certificate was not accepted (${detail}); set tlsCa to the CA that signed it`
        : `${server}: TLS is required (useTls) but STARTTLS failed or is not offered${reply || ` (${detail})`}`,
      temporary,
    );
  }
  if (code === 'EAUTH' || code === 'ENOAUTH') {
    const temporary = e.responseCode !== undefined && e.responseCode >= 400 && e.responseCode < 500;
    return make(
      `${server}: authentication failed for user "${context.user ?? ''}"${reply || ` (${detail})`}${temporary ? '' : '; check smtpUser and smtpPassword'}`,
      temporary,
    );
  }
  if (e.responseCode !== undefined) {
    // 4xx: try again later; 5xx: the server refused for good (503 is a session-state hiccup).
    const retryable = e.responseCode < 500 || e.responseCode === 503;
    return make(
      `${server} refused the mail${e.command ? ` at ${e.command}` : ''} with ${e.responseCode}${reply}`,
      retryable,
    );
  }
  switch (code) {
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'EDNS':
    case 'ETIMEDOUT':
    case 'EPROTOCOL':
      return make(
        `${server} could not be reached or dropped the connection (${e.originalCode ?? code}: ${detail})`,
        true,
      );
    case 'EENVELOPE':
    case 'EMESSAGE':
    case 'ECONFIG':
      return make(`${server}: the mail was not accepted (${code}: ${detail})`, false);
    default:
      return make(`${server}: sending failed (${code ?? 'error'}: ${detail})`, true);
  }
}
