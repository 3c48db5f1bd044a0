/**
 * Connection pools: one keep-alive agent per origin and TLS setting, reused for every request of
 * every reporter that shares them. Through a proxy, each connection is a CONNECT tunnel (for http:
 * targets too, as undici does), with TLS to the target inside it.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { TlsConfig } from '../generated/schemas.js';
import { proxyFor, type Environment } from './proxy.js';

/** Per-reporter TLS settings (see resolveTls): extra CA certificates as PEM text, added to the default roots, and verification. */
export type TlsSettings = TlsConfig;

const KEEP_ALIVE_MS = 30_000;
const MAX_SOCKETS_PER_ORIGIN = 64;
const CONNECT_TIMEOUT_MS = 30_000;

export class AgentPool {
  private readonly agents = new Map<string, http.Agent>();
  constructor(private readonly env: Environment = process.env) {}

  /** The agent for `url` with `tlsSettings` (identified by `tlsKey`). */
  agentFor(url: URL, tlsSettings: TlsSettings, tlsKey: string): http.Agent {
    const proxy = proxyFor(url, this.env);
    const key = `${url.protocol}//${url.host}|${tlsKey}|${proxy?.href ?? ''}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = createAgent(url.protocol === 'https:', tlsSettings, proxy);
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Closes every pooled connection. */
  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}

function createAgent(secure: boolean, settings: TlsSettings, proxy: URL | undefined): http.Agent {
  const base = {
    keepAlive: true,
    keepAliveMsecs: KEEP_ALIVE_MS,
    maxSockets: MAX_SOCKETS_PER_ORIGIN,
    scheduling: 'lifo' as const,
  };
  const tlsOptions: tls.ConnectionOptions = {
    ...(settings.ca ? { ca: [...tls.rootCertificates, settings.ca] } : {}),
    ...(settings.verify === false ? { rejectUnauthorized: false } : {}),
  };
  if (!proxy) return secure ? new https.Agent({ ...base, ...tlsOptions }) : new http.Agent(base);
  if (secure) {
    const agent = new https.Agent({ ...base, ...tlsOptions });
    agent.createConnection = (options, callback) => {
      tunnel(proxy, options).then(
        (socket) => {
          const host = hostOf(options);
          const secured = tls.connect({
            ...tlsOptions,
            socket,
            host,
            ...(isIP(host) ? {} : { servername: options.servername || host }),
          });
          secured.once('secureConnect', () => callback?.(null, secured));
          secured.once('error', (error) => callback?.(error, secured));
        },
        (error: Error) => callback?.(error, undefined as unknown as Duplex),
      );
      return undefined;
    };
    return agent;
  }
  const agent = new http.Agent(base);
  agent.createConnection = (options, callback) => {
    tunnel(proxy, options).then(
      (socket) => callback?.(null, socket),
      (error: Error) => callback?.(error, undefined as unknown as Duplex),
    );
    return undefined;
  };
  return agent;
}

function hostOf(options: http.ClientRequestArgs): string {
  return String(options.hostname ?? options.host ?? 'localhost').replace(/^\[|\]$/g, '');
}

/** Opens a CONNECT tunnel through `proxy` to the request's host and port. */
function tunnel(proxy: URL, options: http.ClientRequestArgs): Promise<Duplex> {
  const authority = `${hostOf(options).includes(':') ? `[${hostOf(options)}]` : hostOf(options)}:${options.port}`;
  const headers: Record<string, string> = { host: authority };
  if (proxy.username) {
    const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  const connect = proxy.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const request = connect({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: authority,
      headers,
      timeout: CONNECT_TIMEOUT_MS,
    });
    request.once('connect', (response, socket) => {
      if (response.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(
        new Error(
          `proxy ${proxy.host} refused CONNECT ${authority}: ${response.statusCode} ${response.statusMessage ?? ''}`.trim(),
        ),
      );
    });
    request.once('timeout', () =>
      request.destroy(new Error(`proxy ${proxy.host} did not answer CONNECT within ${CONNECT_TIMEOUT_MS} ms`)),
    );
    request.once('error', reject);
    request.end();
  });
}
