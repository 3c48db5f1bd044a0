import { describe, expect, test } from 'vitest';
import { cutAtLastAt, isValidAddress, parseMailbox } from './addresses.js';

describe('addresses (Buildbot VALID_EMAIL, mail.md §6.1)', () => {
  test.each([
    'foo+bar@example.com',
    'nobody@example.com.',
    'My Name <my.name@example.com>',
    '<my.name@example.com>',
    'My Name <my.name@example.com.>',
    'egypt@example.xn--wgbh1c',
  ])('accepts %s as Buildbot does', (address) => expect(isValidAddress(address)).toBe(true));

  test.each([
    '@',
    'foo',
    'foo@',
    '@example.com',
    'foo@invalid',
    'foobar@ex+ample.com',
    'foo bar@example.net',
    'Foo\nBar <foo@example.org>',
    'test@example..invalid',
  ])('rejects %j as Buildbot does', (address) => expect(isValidAddress(address)).toBe(false));

  test.each([
    'a@x.org, evil@y.org',
    'a@x.org,evil@y.org',
    'a@x.org;evil@y.org',
    'a@x.org\r\nBcc: evil@y.org',
    'a@x.org\nBcc: evil@y.org',
    '"a@x.org,evil"@y.org',
    'Name <a@x.org>, evil@y.org',
    'Name\r\nBcc: evil@y.org <a@x.org>',
    'a@x.org <evil@y.org>,other@y.org',
  ])('rejects %j, which would reach a second recipient or header', (address) => {
    expect(parseMailbox(address)).toBeUndefined();
  });

  test('splits a display name from the bare address and unquotes it', () => {
    expect(parseMailbox('Big Bob <bob@mayhem.net>')).toEqual({ name: 'Big Bob', address: 'bob@mayhem.net' });
    expect(parseMailbox('"Doe, Jane" <jane@x.org>')).toEqual({ name: 'Doe, Jane', address: 'jane@x.org' });
    expect(parseMailbox('<bob@mayhem.net>')).toEqual({ address: 'bob@mayhem.net' });
    expect(parseMailbox('bob@mayhem.net')).toEqual({ address: 'bob@mayhem.net' });
  });

  test("cuts git's 'User' <user@foo.com>@foo.com at the last @", () => {
    expect(cutAtLastAt("'User' <user@foo.com>@foo.com")).toBe("'User' <user@foo.com>");
    expect(parseMailbox(cutAtLastAt("'User' <user@foo.com>@foo.com"))).toEqual({
      name: "'User'",
      address: 'user@foo.com',
    });
    expect(cutAtLastAt('joe@x.org')).toBe('joe@x.org');
  });
});
