import { describe, expect, test } from 'vitest';
import { formatMailbox } from './addresses.js';
import { configuredAddresses, domainLookup, interestedAddresses, processRecipients } from './recipients.js';

const users = ['Big Bob <bob@mayhem.net>', 'narrator'];
const header = (list: Array<{ name?: string; address: string }>) => list.map(formatMailbox).join(', ');

describe('recipients (mail.md §6, Buildbot do_test_sendToInterestedUsers)', () => {
  const warnings: string[] = [];
  const warn = (_: unknown, message: string) => void warnings.push(message);

  test('lookup example.org: To = Bob and narrator@example.org', async () => {
    const interested = await interestedAddresses(users, domainLookup('example.org'), warn);
    const r = processRecipients(interested, [], true);
    expect(header(r.to)).toBe('Big Bob <bob@mayhem.net>, narrator@example.org');
    expect(r.cc).toEqual([]);
    expect(r.envelope).toEqual(['bob@mayhem.net', 'narrator@example.org']);
  });

  test('no lookup: narrator is dropped with a warning, To = Bob', async () => {
    warnings.length = 0;
    const r = processRecipients(await interestedAddresses(users, undefined, warn), [], true);
    expect(header(r.to)).toBe('Big Bob <bob@mayhem.net>');
    expect(warnings).toEqual([expect.stringContaining('INVALID EMAIL')]);
  });

  test('extraRecipients go to Cc when interested users get the mail', async () => {
    const extra = configuredAddresses(['marla@mayhem.net'], 'extraRecipients', warn);
    const r = processRecipients(await interestedAddresses(users, undefined, warn), extra, true);
    expect(header(r.to)).toBe('Big Bob <bob@mayhem.net>');
    expect(header(r.cc)).toBe('marla@mayhem.net');
    expect(r.envelope).toEqual(['bob@mayhem.net', 'marla@mayhem.net']);
  });

  test('sendToInterestedUsers false: To = extraRecipients only', () => {
    const r = processRecipients([], configuredAddresses(['marla@mayhem.net'], 'extraRecipients', warn), false);
    expect(header(r.to)).toBe('marla@mayhem.net');
    expect(r.cc).toEqual([]);
  });

  test('duplicates are kept once, whatever their case or display name', async () => {
    const interested = await interestedAddresses(
      ['joe', 'Joe <JOE@example.org>', 'joe@example.org'],
      domainLookup('example.org'),
      warn,
    );
    const r = processRecipients(
      interested,
      configuredAddresses(['joe@example.org', 'list@example.org'], 'extraRecipients', warn),
      true,
    );
    expect(r.envelope).toEqual(['joe@example.org', 'list@example.org']);
  });

  test('a lookup returning null skips the user; a lookup that throws only drops that user', async () => {
    warnings.length = 0;
    const lookup = (user: string) => {
      if (user === 'ghost') return null;
      if (user === 'broken') throw new Error('directory down');
      return `${user}@corp.example`;
    };
    const found = await interestedAddresses(['ghost', 'broken', 'ann'], lookup, warn);
    expect(found).toEqual([{ address: 'ann@corp.example' }]);
    expect(warnings).toEqual([expect.stringContaining('lookup failed')]);
  });

  test('an author list smuggled in one name adds no recipient', async () => {
    const found = await interestedAddresses(
      ['a@x.org, evil@y.org', 'a@x.org,evil@y.org', 'a@x.org\r\nBcc: evil@y.org'],
      domainLookup('x.org'),
      warn,
    );
    expect(found).toEqual([]);
  });
});
