import { expect, test } from 'vitest';
import { composeMessage, type MessageParts } from './message.js';

const base: MessageParts = {
  from: { name: 'Buildbot', address: 'buildbot@example.org' },
  to: [{ name: 'Big Bob', address: 'bob@mayhem.net' }],
  cc: [{ address: 'marla@mayhem.net' }],
  envelope: ['bob@mayhem.net', 'marla@mayhem.net'],
  subject: 'Buildbot failure in P on b',
  body: 'BUILD FAILED',
  type: 'plain',
  headers: [],
  attachments: [],
  date: new Date('2026-11-23T19:49:48Z'),
};
const headerOf = (raw: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(raw.split('\r\n\r\n')[0])?.[1];

test('an ASCII body is one 7bit text/plain part ending with a blank line, CRLF throughout', async () => {
  const { raw, envelope, messageId, date } = await composeMessage(base);
  expect(headerOf(raw, 'Content-Type')).toBe('text/plain; charset="utf-8"');
  expect(headerOf(raw, 'Content-Transfer-Encoding')).toBe('7bit');
  expect(raw.split('\r\n\r\n').slice(1).join('\r\n\r\n')).toBe('BUILD FAILED\r\n\r\n');
  expect(raw.replace(/\r\n/g, '')).not.toContain('\n');
  expect(headerOf(raw, 'From')).toBe('Buildbot <buildbot@example.org>');
  expect(headerOf(raw, 'To')).toBe('Big Bob <bob@mayhem.net>');
  expect(headerOf(raw, 'Cc')).toBe('marla@mayhem.net');
  expect(headerOf(raw, 'Date')).toBe('Mon, 23 Nov 2026 19:49:48 +0000');
  expect(headerOf(raw, 'Message-ID')).toBe(messageId);
  expect(envelope).toEqual({ from: 'buildbot@example.org', to: ['bob@mayhem.net', 'marla@mayhem.net'] });
  expect(date).toBe('2026-11-23T19:49:48.000Z');
});

test("Buildbot's rule: a body not ending with a blank line gets one appended", async () => {
  const { raw } = await composeMessage({ ...base, body: 'A\nB\n' });
  expect(raw.split('\r\n\r\n').slice(1).join('\r\n\r\n')).toBe('A\r\nB\r\n\r\n\r\n');
  const ended = await composeMessage({ ...base, body: 'A\n\n' });
  expect(ended.raw.split('\r\n\r\n').slice(1).join('\r\n\r\n')).toBe('A\r\n\r\n');
});

test('as Buildbot: a non-ASCII body goes 8bit, long lines and trailing spaces as they are', async () => {
  const body = `Tåtle ☠ build\nBlamelist: \n    ${'http://127.0.0.1:8010/#builders/5/builds/1/steps/1/logs/stdio'.repeat(2)}\n`;
  const { raw } = await composeMessage({ ...base, body });
  expect(headerOf(raw, 'Content-Transfer-Encoding')).toBe('8bit');
  expect(raw.split('\r\n\r\n').slice(1).join('\r\n\r\n')).toBe(`${body}\n\n`.replace(/\n/g, '\r\n'));
  const ascii = await composeMessage({ ...base, body: body.replace('Tåtle ☠ ', '') });
  expect(headerOf(ascii.raw, 'Content-Transfer-Encoding')).toBe('7bit');
});

test('a line over 998 octets (RFC 5322) is never sent as it is: quoted-printable then', async () => {
  const { raw } = await composeMessage({ ...base, body: `${'x'.repeat(999)}\n` });
  expect(headerOf(raw, 'Content-Transfer-Encoding')).toBe('quoted-printable');
  expect(raw.split('\r\n').every((line) => line.length <= 998)).toBe(true);
});

test("subject and extra headers: Python's one encoded word (q, or b when shorter), unfolded", async () => {
  const subject = "☠ Buildbot (bbreporters-e2e): ord-c-fail - failed 'false' (failure) ((unknown revision))";
  const { raw } = await composeMessage({ ...base, subject, headers: [['X-Note', '☺ ok']] });
  // Both values as Buildbot 3.7's MailNotifier (Python 3.11 email) writes them.
  expect(headerOf(raw, 'Subject')).toBe(
    '=?utf-8?q?=E2=98=A0_Buildbot_=28bbreporters-e2e=29=3A_ord-c-fail_-_failed_=27false=27_=28failure=29_=28=28unknown_revision=29=29?=',
  );
  expect(headerOf(raw, 'X-Note')).toBe('=?utf-8?b?4pi6IG9r?=');
  expect(headerOf((await composeMessage({ ...base, subject: 'a\u0000b' })).raw, 'Subject')).toBe('=?utf-8?b?YQBi?=');
  const ascii = await composeMessage({ ...base, subject: `${'word '.repeat(30)}end` });
  expect(headerOf(ascii.raw, 'Subject')).toBe(`${'word '.repeat(30)}end`);
});

test('a header line that would pass 998 octets is folded by nodemailer instead', async () => {
  const { raw } = await composeMessage({ ...base, subject: 'é '.repeat(400) });
  expect(
    raw
      .split('\r\n\r\n')[0]
      .split('\r\n')
      .every((line) => line.length <= 998),
  ).toBe(true);
  expect(raw).toMatch(/^Subject: =\?UTF-8\?/m);
});

test('long lines and trailing spaces still give CRLF line ends only', async () => {
  const { raw } = await composeMessage({
    ...base,
    body: `Blamelist: \n    ${'http://127.0.0.1:8010/#builders/5/builds/1/steps/1/logs/stdio'.repeat(2)}\nend\n`,
  });
  expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
});

test('html bodies become text/html', async () => {
  const { raw } = await composeMessage({ ...base, type: 'html', body: '<p>hi</p>' });
  expect(headerOf(raw, 'Content-Type')).toBe('text/html; charset="utf-8"');
});

test('attachments make a multipart/mixed message whose first part is the body', async () => {
  const { raw } = await composeMessage({
    ...base,
    attachments: [{ filename: 'source patch 0', content: 'diff\n', contentType: 'text/plain; charset=utf-8' }],
  });
  expect(headerOf(raw, 'Content-Type')).toMatch(/^multipart\/mixed; boundary=/);
  expect(raw).toMatch(/Content-Disposition: attachment; filename="source patch 0"/);
  expect(raw.indexOf('BUILD FAILED')).toBeLessThan(raw.indexOf('source patch 0'));
});

test('line breaks in the subject or an extra header value start no new header', async () => {
  const { raw } = await composeMessage({
    ...base,
    subject: 'x\r\nBcc: evil@y.org',
    headers: [['X-Branch', 'main\r\nBcc: evil@y.org\nX-Evil: 1']],
  });
  const head = raw.split('\r\n\r\n')[0];
  expect(head).not.toMatch(/^Bcc:/im);
  expect(head).not.toMatch(/^X-Evil:/im);
  expect(headerOf(raw, 'X-Branch')).toBe('main Bcc: evil@y.org X-Evil: 1');
});

test('the missing-worker mail has recipients in the envelope only', async () => {
  const { raw, envelope } = await composeMessage({ ...base, to: [], cc: [], envelope: ['ops@example.test'] });
  expect(headerOf(raw, 'To')).toBeUndefined();
  expect(envelope.to).toEqual(['ops@example.test']);
});
