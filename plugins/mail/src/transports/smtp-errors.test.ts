import { expect, test } from 'vitest';
import { maskSecrets, smtpSendError } from './smtp-errors.js';

const context = { host: 'smtp.example.org', port: 587, user: 'bb', password: 'hunter2!' };
const nodemailerError = (fields: Record<string, unknown>) =>
  Object.assign(new Error(String(fields.message ?? 'x')), fields);

test('connection refused is retryable and names the server', () => {
  const e = smtpSendError(
    nodemailerError({ code: 'ESOCKET', originalCode: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:587' }),
    context,
  );
  expect(e.retryable).toBe(true);
  expect(e.message).toContain('smtp.example.org:587');
  expect(e.message).toContain('ECONNREFUSED');
});

test('timeouts are retryable', () => {
  expect(
    smtpSendError(nodemailerError({ code: 'ETIMEDOUT', message: 'Greeting never received' }), context).retryable,
  ).toBe(true);
});

test('4xx replies are retryable, 5xx are final (503 excepted)', () => {
  expect(
    smtpSendError(
      nodemailerError({ code: 'EENVELOPE', responseCode: 450, response: '450 mailbox busy', command: 'RCPT TO' }),
      context,
    ).retryable,
  ).toBe(true);
  const final = smtpSendError(
    nodemailerError({ code: 'EENVELOPE', responseCode: 550, response: '550 no such user', command: 'RCPT TO' }),
    context,
  );
  expect(final.retryable).toBe(false);
  expect(final.message).toContain('550 no such user');
  expect(
    smtpSendError(nodemailerError({ code: 'EPROTOCOL', responseCode: 503, response: '503 bad sequence' }), context)
      .retryable,
  ).toBe(true);
});

test('bad credentials are final and say which user; a 454 temporary auth failure is retried', () => {
  const e = smtpSendError(
    nodemailerError({
      code: 'EAUTH',
      responseCode: 535,
      response: '535 Authentication credentials invalid',
      command: 'AUTH PLAIN',
    }),
    context,
  );
  expect(e.retryable).toBe(false);
  expect(e.message).toMatch(/authentication failed for user "bb".*535/);
  expect(
    smtpSendError(nodemailerError({ code: 'EAUTH', responseCode: 454, response: '454 try later' }), context).retryable,
  ).toBe(true);
});

test('TLS required but STARTTLS refused is final', () => {
  const e = smtpSendError(
    nodemailerError({
      code: 'ETLS',
      responseCode: 500,
      response: '500 Unrecognized command',
      command: 'STARTTLS',
      message: 'Error upgrading connection with STARTTLS',
    }),
    context,
  );
  expect(e.retryable).toBe(false);
  expect(e.message).toContain('TLS is required (useTls)');
});

test('an untrusted certificate is final and points at tlsCa', () => {
  const e = smtpSendError(
    nodemailerError({
      code: 'ESOCKET',
      originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT',
      message: 'self-signed certificate',
    }),
    context,
  );
  expect(e.retryable).toBe(false);
  expect(e.message).toContain('tlsCa');
});

test('the password never appears, in clear or in the base64 forms AUTH puts on the wire', () => {
  const plain = Buffer.from('\u0000bb\u0000hunter2!').toString('base64');
  const login = Buffer.from('hunter2!').toString('base64');
  const e = smtpSendError(
    nodemailerError({
      code: 'EAUTH',
      responseCode: 535,
      response: `535 bad ${plain} ${login} hunter2!`,
      message: 'Invalid login hunter2!',
    }),
    context,
  );
  expect(e.message).not.toContain('hunter2!');
  expect(e.message).not.toContain(plain);
  expect(e.message).not.toContain(login);
  expect(maskSecrets('x hunter2! y', context)).toBe('x *** y');
});
