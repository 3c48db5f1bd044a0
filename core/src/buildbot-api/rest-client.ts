/**
 * The master's REST API (`<url>api/v2`): GETs of the data API and JSON-RPC control calls.
 * Authentication: a bearer token, or user/password through `/auth/login` (HTTP Basic, as
 * Buildbot's UserPasswordAuth and HTPasswdAuth take it); the session cookie it sets is kept and
 * sent with every request (and the websocket handshake), and renewed once when the master
 * answers 401/403. node-fetch directly: the login must see the redirect's Set-Cookie headers,
 * which core's HTTP transport (it follows redirects) does not expose.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import fetch, { type Response } from 'node-fetch';
import { BbrError, isBbrError, reasonOf } from '../diagnostics/errors.js';
import { defined } from '../lang/defined.js';

export interface BuildbotConnection {
  /** The master's web URL (www), e.g. http://127.0.0.1:8010/. */
  url: string;
  user?: string;
  password?: string;
  token?: string;
  /** Milliseconds one REST call may take (default 30 s). */
  timeoutMs?: number;
}

/** One page of a data-API collection: `{<name>: [...], meta: {total}}`. */
type Collection = Record<string, unknown> & { meta?: { total?: number } };

const SESSION_COOKIE = /^(TWISTED_(?:SECURE_)?SESSION[^=]*)=([^;]*)/;

/** The URL with exactly one trailing slash. */
export function normaliseBaseUrl(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

export class BuildbotRestClient {
  readonly baseUrl: string;
  private cookie?: string;
  private login?: Promise<string>;
  private readonly agent: HttpAgent | HttpsAgent;

  constructor(private readonly connection: BuildbotConnection) {
    this.baseUrl = normaliseBaseUrl(connection.url);
    this.agent = this.baseUrl.startsWith('https:')
      ? new HttpsAgent({ keepAlive: true })
      : new HttpAgent({ keepAlive: true });
  }

  /** Headers that authenticate a request (and the websocket handshake); logs in first when needed. */
  async authHeaders(): Promise<Record<string, string>> {
    if (this.connection.token) return { authorization: `Bearer ${this.connection.token}` };
    if (this.connection.user === undefined) return {};
    this.cookie ??= await (this.login ??= this.logIn().finally(() => (this.login = undefined)));
    return { cookie: this.cookie };
  }

  /** GET `api/v2/<path>`; undefined on 404 (the entity does not exist). */
  async get<T = Collection>(
    path: string,
    query: Record<string, string | number | boolean | Array<string | number>> = {},
  ): Promise<T | undefined> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) for (const v of [value].flat()) search.append(key, String(v));
    const qs = search.size ? `?${search}` : '';
    const response = await this.call('GET', `${path}${qs}`);
    if (response.status === 404) return undefined;
    return (await this.readJson(response, 'GET', path)) as T;
  }

  /** The entities of a collection, e.g. `list('builds', 'builds', {complete: false})`. */
  async list<T>(
    path: string,
    key: string,
    query: Record<string, string | number | boolean | Array<string | number>> = {},
  ): Promise<T[]> {
    const body = await this.get<Collection>(path, query);
    return (body?.[key] as T[] | undefined) ?? [];
  }

  /** The first entity of a collection endpoint (`builds/3` answers `{builds: [build]}`). */
  async one<T>(
    path: string,
    key: string,
    query: Record<string, string | number | boolean | Array<string | number>> = {},
  ): Promise<T | undefined> {
    return (await this.list<T>(path, key, query))[0];
  }

  /** A JSON-RPC control call: POST `api/v2/<path>` `{method, params}`; returns `result`. */
  async rpc<T = unknown>(path: string, method: string, params: Record<string, unknown>): Promise<T> {
    const response = await this.call('POST', path, JSON.stringify({ jsonrpc: '2.0', method, params, id: 1 }));
    const body = (await this.readJson(response, `POST (${method})`, path, true)) as {
      result?: T;
      error?: { message?: string; code?: number };
    };
    if (body.error) {
      throw new BbrError(
        'BBR_BUILDBOT_API',
        `${method} on ${this.baseUrl}api/v2/${path} failed: ${body.error.message ?? JSON.stringify(body.error)}`,
      );
    }
    return body.result as T;
  }

  close(): void {
    this.agent.destroy();
  }

  private async call(method: 'GET' | 'POST', path: string, body?: string): Promise<Response> {
    let response = await this.send(method, path, body);
    if ((response.status === 401 || response.status === 403) && this.connection.user !== undefined && this.cookie) {
      // The session expired (or the master restarted with a new secret): log in again, once.
      this.cookie = undefined;
      response = await this.send(method, path, body);
    }
    if (response.status === 401 || response.status === 403) {
      const text = await response.text().catch(() => '');
      throw new BbrError(
        'BBR_BUILDBOT_AUTH',
        `${method} ${this.baseUrl}api/v2/${path} was refused (${response.status}${text ? `: ${text.slice(0, 200)}` : ''})${this.connection.user === undefined && !this.connection.token ? '; the master needs credentials: set user and password (or token)' : ''}`,
      );
    }
    return response;
  }

  private async send(method: 'GET' | 'POST', path: string, body?: string): Promise<Response> {
    const url = `${this.baseUrl}api/v2/${path}`;
    try {
      return await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          'user-agent': 'bbreporters',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(await this.authHeaders()),
        },
        ...defined({ body }),
        agent: this.agent,
        signal: AbortSignal.timeout(this.connection.timeoutMs ?? 30_000),
      });
    } catch (error) {
      if (isBbrError(error)) throw error;
      throw new BbrError('BBR_BUILDBOT_API', `${method} ${url}: ${reasonOf(error)}`, { cause: error });
    }
  }

  private async readJson(response: Response, method: string, path: string, allowErrorBody = false): Promise<unknown> {
    const text = await response.text();
    if (!response.ok && !allowErrorBody) {
      throw new BbrError(
        'BBR_BUILDBOT_API',
        `${method} ${this.baseUrl}api/v2/${path} answered ${response.status}: ${text.slice(0, 300)}`,
      );
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new BbrError(
        'BBR_BUILDBOT_API',
        `${method} ${this.baseUrl}api/v2/${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
      );
    }
  }

  /** GET auth/login with HTTP Basic; the last session cookie of the answer is the logged-in one. */
  private async logIn(): Promise<string> {
    const { user = '', password = '' } = this.connection;
    const url = `${this.baseUrl}auth/login`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: {
          authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
          'user-agent': 'bbreporters',
        },
        redirect: 'manual',
        agent: this.agent,
        signal: AbortSignal.timeout(this.connection.timeoutMs ?? 30_000),
      });
      await response.text();
    } catch (error) {
      throw new BbrError('BBR_BUILDBOT_API', `logging in at ${url}: ${reasonOf(error)}`, { cause: error });
    }
    // The master sets an anonymous session first, then the logged-in one.
    const cookies = (response.headers.raw()['set-cookie'] ?? [])
      .map((c) => SESSION_COOKIE.exec(c))
      .filter((m) => m !== null);
    const session = cookies.at(-1);
    if (response.status >= 400 || !session) {
      throw new BbrError(
        'BBR_BUILDBOT_AUTH',
        `logging in as "${user}" at ${url} failed (${response.status}${response.status === 401 ? ': wrong user or password' : session ? '' : ', no session cookie: does the master have www auth configured?'})`,
      );
    }
    return `${session[1]}=${session[2]}`;
  }
}
