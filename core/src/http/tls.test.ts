import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTls, tlsProblems } from './tls.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('resolveTls', () => {
  it('reads tls.ca relative to the config folder; PEM text is used as is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-tls-'));
    writeFileSync(join(dir, 'ca.pem'), PEM);
    expect(resolveTls({ ca: 'ca.pem', verify: true }, dir, 'gh')).toEqual({ ca: PEM, verify: true });
    expect(resolveTls({ ca: PEM }, '/nowhere', 'gh')).toEqual({ ca: PEM });
  });

  it('a missing or non-PEM file is BBR_TLS_CA naming the reporter and the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-tls-'));
    writeFileSync(join(dir, 'junk.txt'), 'hello');
    expect(() => resolveTls({ ca: 'missing.pem' }, dir, 'gh')).toThrow(
      expect.objectContaining({
        code: 'BBR_TLS_CA',
        message: expect.stringMatching(/reporter "gh": tls.ca .*missing\.pem cannot be read/),
      }),
    );
    expect(() => resolveTls({ ca: 'junk.txt' }, dir, 'gh')).toThrow(/holds no PEM certificate/);
  });
});

describe('tlsProblems (bbreporters check)', () => {
  it('locates an unreadable tls.ca at the reporter entry; a good one is no problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bbr-tls-'));
    writeFileSync(join(dir, 'ca.pem'), PEM);
    expect(tlsProblems({ path: 'reporters[2]', tls: { ca: 'ca.pem' } }, dir)).toEqual([]);
    expect(tlsProblems({ path: 'reporters[2]' }, dir)).toEqual([]);
    const [problem] = tlsProblems({ path: 'reporters[2]', name: 'gl', tls: { ca: 'nope.pem' } }, dir);
    expect(problem.path).toBe('reporters[2].tls.ca');
    expect(problem.message).toMatch(/^reporter "gl": tls.ca .*nope\.pem cannot be read/);
  });
});
