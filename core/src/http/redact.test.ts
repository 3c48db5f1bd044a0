import { describe, expect, it } from 'vitest';
import { payloadSecrets, redactText, redactUrl, requestSecrets } from './redact.js';

describe('redaction of request secrets', () => {
  it('masks URL passwords and token-like query values, keeps the rest readable', () => {
    const out = redactUrl(
      'https://bot:hunter2pass@example.org/hook?access_token=abcd1234&private_token=zzzz9999&ref=main',
    );
    expect(out).not.toContain('hunter2pass');
    expect(out).not.toContain('abcd1234');
    expect(out).not.toContain('zzzz9999');
    expect(out).toContain('ref=main');
    expect(out).toContain('example.org/hook');
  });

  it('finds credentials in Authorization headers, including the password inside Basic', () => {
    const basic = Buffer.from('user:pa55word!').toString('base64');
    const secrets = requestSecrets({
      url: 'https://x.org/',
      headers: { Authorization: `Basic ${basic}`, 'PRIVATE-TOKEN': 'glpat-123456', Accept: 'application/json' },
    });
    expect(secrets).toEqual(expect.arrayContaining([`Basic ${basic}`, basic, 'pa55word!', 'glpat-123456']));
    expect(secrets).not.toContain('application/json');
    expect(redactText(`echo: Basic ${basic} and pa55word! and glpat-123456`, secrets)).toBe(
      'echo: ******** and ******** and ********',
    );
  });

  it('payloadSecrets: an HTTP request payload’s credentials, nothing for other payloads', () => {
    expect(payloadSecrets({ url: 'https://x.org/?token=abcdef', headers: { Authorization: 'Bearer zyxwvu' } })).toEqual(
      expect.arrayContaining(['abcdef', 'zyxwvu']),
    );
    expect(payloadSecrets({ text: 'Authorization: Bearer zyxwvu' })).toEqual([]);
  });
});
