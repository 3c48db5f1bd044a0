import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bypassesProxy, proxyFor } from './proxy.js';
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
    expect(() => resolveTls({ ca: 'missing.pem' }, dir, 'gh')).toThrow(expect.objectContaining({ code: 'BBR_TLS_CA', message: expect.stringMatching(/reporter "gh": tls.ca .*missing\.pem cannot be read/) }));
    expect(() => resolveTls({ ca: 'junk.txt' }, dir, 'gh')).toThrow(/holds no PEM certificate/);
  });
});

describe('proxy selection', () => {
  const env = { HTTPS_PROXY: 'http://proxy:3128', http_proxy: 'proxy2:8080', NO_PROXY: 'internal.example, .corp.example, *.lan, 10.0.0.1:8443' };
  it('https: uses HTTPS_PROXY, http: HTTP_PROXY (scheme optional), lower-case names win', () => {
    expect(proxyFor(new URL('https://api.github.com/'), env)?.href).toBe('http://proxy:3128/');
    expect(proxyFor(new URL('http://ci.example.org/'), env)?.href).toBe('http://proxy2:8080/');
    expect(proxyFor(new URL('http://x/'), { HTTP_PROXY: 'http://upper:1', http_proxy: 'http://lower:2' })?.host).toBe('lower:2');
    expect(proxyFor(new URL('https://x/'), {})).toBeUndefined();
  });

  it('NO_PROXY: exact hosts, domain suffixes, *, and host:port', () => {
    expect(bypassesProxy(new URL('https://internal.example/'), env.NO_PROXY)).toBe(true);
    expect(bypassesProxy(new URL('https://a.b.corp.example/'), env.NO_PROXY)).toBe(true);
    expect(bypassesProxy(new URL('https://host.lan/'), env.NO_PROXY)).toBe(true);
    expect(bypassesProxy(new URL('https://10.0.0.1:8443/'), env.NO_PROXY)).toBe(true);
    expect(bypassesProxy(new URL('https://10.0.0.1/'), env.NO_PROXY)).toBe(false);
    expect(bypassesProxy(new URL('https://notinternal.example/'), env.NO_PROXY)).toBe(false);
    expect(bypassesProxy(new URL('https://anything/'), '*')).toBe(true);
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

describe('bbreporters check and tls.ca', () => {
  it('a config whose reporter names a missing tls.ca file is invalid, located at reporters[0].tls.ca', async () => {
    const { checkConfig } = await import('../config/load.js');
    const consoleDir = new URL('../../../plugins/console/', import.meta.url).pathname;
    const config = { reporters: [{ plugin: consoleDir, options: {}, tls: { ca: 'missing-ca.pem' } }] };
    let error: unknown;
    try {
      checkConfig(config, { configDir: mkdtempSync(join(tmpdir(), 'bbr-tls-')) });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'BBR_CONFIG_INVALID', details: [expect.objectContaining({ path: 'reporters[0].tls.ca' })] });
  });
});
