/**
 * Which proxy a URL goes through: `HTTPS_PROXY` for https:, `HTTP_PROXY` for http: (lower-case
 * names win, as in curl), unless `NO_PROXY` lists the host (`*`, `host`, `.domain`, `*.domain`,
 * each optionally `:port`). CIDR ranges in NO_PROXY are not supported.
 */
export type Environment = Record<string, string | undefined>;

export function proxyFor(target: URL, env: Environment = process.env): URL | undefined {
  const https = target.protocol === 'https:';
  const raw = https ? (env.https_proxy ?? env.HTTPS_PROXY) : (env.http_proxy ?? env.HTTP_PROXY);
  if (!raw || bypassesProxy(target, env.no_proxy ?? env.NO_PROXY ?? '')) return undefined;
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new Error(`${https ? 'HTTPS_PROXY' : 'HTTP_PROXY'} is not a URL`);
  }
}

export function bypassesProxy(target: URL, noProxy: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const entry of noProxy.split(/[\s,]+/).filter(Boolean)) {
    if (entry === '*') return true;
    const match = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[|\](?=:|$)/g, '')) as RegExpExecArray;
    const name = match[1].replace(/^\*?\./, '').toLowerCase();
    if (match[2] && match[2] !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}
