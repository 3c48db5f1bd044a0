import { describe, expect, it } from 'vitest';
import { bypassesProxy, proxyFor } from './proxy.js';

describe('proxy selection', () => {
  const env = {
    HTTPS_PROXY: 'http://proxy:3128',
    http_proxy: 'proxy2:8080',
    NO_PROXY: 'internal.example, .corp.example, *.lan, 10.0.0.1:8443',
  };
  it('https: uses HTTPS_PROXY, http: HTTP_PROXY (scheme optional), lower-case names win', () => {
    expect(proxyFor(new URL('https://api.github.com/'), env)?.href).toBe('http://proxy:3128/');
    expect(proxyFor(new URL('http://ci.example.org/'), env)?.href).toBe('http://proxy2:8080/');
    expect(proxyFor(new URL('http://x/'), { HTTP_PROXY: 'http://upper:1', http_proxy: 'http://lower:2' })?.host).toBe(
      'lower:2',
    );
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
