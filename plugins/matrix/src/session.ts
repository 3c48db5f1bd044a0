/**
 * The reporter's session with its homeserver (client-server API v3): the access token, given or
 * from one `m.login.password` login (kept in memory only, replaced by a new login when the
 * homeserver answers M_UNKNOWN_TOKEN and a password is configured), the room id of an alias, and
 * each call's answer classified for core's retries: 429 M_LIMIT_EXCEEDED waits `retry_after_ms`,
 * 5xx and 408 are retried, other errors are final.
 */
import {
  encodedPath,
  isRetryableStatus,
  redactUrl,
  urlUnder,
  withHeaders,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
} from '@bbreporters/core';

export interface SessionOptions {
  homeserver: string;
  room: string;
  accessToken?: string;
  user?: string;
  password?: string;
  deviceId?: string;
}

/** A Matrix error answer (`{errcode, error}`), classified like core's HttpError. */
export class MatrixError extends Error {
  override readonly name = 'MatrixError';
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(
    readonly status: number,
    readonly errcode: string | undefined,
    message: string,
    retryAfterMs: number | undefined,
  ) {
    super(message);
    this.retryable = isRetryableStatus(status);
    if (this.retryable && retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}

interface ErrorBody {
  errcode?: unknown;
  error?: unknown;
  retry_after_ms?: unknown;
}

export class MatrixSession {
  private token: string | undefined;
  private deviceId: string | undefined;
  private roomId: string | undefined;

  constructor(
    private readonly options: SessionOptions,
    private readonly http: HttpClient,
  ) {
    this.token = options.accessToken;
    this.deviceId = options.deviceId;
  }

  /** `path` (built with encodedPath) under the homeserver: a room name can never steer a request elsewhere. */
  url(path: string): string {
    return urlUnder(this.options.homeserver, path);
  }

  /** The configured room's id: an alias is resolved once through the room directory. */
  async room(signal: AbortSignal): Promise<string> {
    if (this.options.room.startsWith('!')) return this.options.room;
    this.roomId ??= (
      await this.call<{ room_id: string }>(
        { method: 'GET', url: this.url(encodedPath`/_matrix/client/v3/directory/room/${this.options.room}`) },
        signal,
      )
    ).room_id;
    return this.roomId;
  }

  /** Sends `request` with the access token (logging in first when there is none) and returns the answer's JSON. */
  async call<T>(request: HttpRequest, signal: AbortSignal): Promise<T> {
    const token = this.token ?? (await this.login(signal));
    let response = await this.http.request(withHeaders(request, { Authorization: `Bearer ${token}` }), { signal });
    if (response.status === 401 && errcodeOf(response) === 'M_UNKNOWN_TOKEN' && this.options.password) {
      // The homeserver forgot the token (logged out, expired): log in again once, then retry.
      this.token = undefined;
      const fresh = await this.login(signal);
      response = await this.http.request(withHeaders(request, { Authorization: `Bearer ${fresh}` }), { signal });
    }
    if (response.status >= 200 && response.status < 300) return response.json<T>();
    throw matrixError(request, response);
  }

  /** POST /login with m.login.password; the token and device are kept for the next calls. */
  private async login(signal: AbortSignal): Promise<string> {
    const { user, password } = this.options;
    if (!user || !password)
      throw new MatrixError(401, undefined, 'no access token, and no user and password to log in with', undefined);
    const request: HttpRequest = {
      method: 'POST',
      url: this.url('/_matrix/client/v3/login'),
      headers: { 'Content-Type': 'application/json' },
      body: {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user },
        password,
        // The same device on every login: transaction ids stay in one scope, and no device piles up per restart.
        ...(this.deviceId ? { device_id: this.deviceId } : { initial_device_display_name: 'bbreporters' }),
      },
    };
    const response = await this.http.request(request, { signal });
    if (response.status < 200 || response.status >= 300) throw matrixError(request, response, 'login as ' + user);
    const answer = response.json<{ access_token?: unknown; device_id?: unknown }>();
    if (typeof answer.access_token !== 'string')
      throw new MatrixError(502, undefined, 'the login answer has no access_token', undefined);
    if (typeof answer.device_id === 'string') this.deviceId = answer.device_id;
    this.token = answer.access_token;
    return this.token;
  }
}

function errorBody(response: HttpResponse): ErrorBody {
  try {
    const body = response.json<ErrorBody>();
    return typeof body === 'object' && body !== null ? body : {};
  } catch {
    return {};
  }
}

function errcodeOf(response: HttpResponse): string | undefined {
  const { errcode } = errorBody(response);
  return typeof errcode === 'string' ? errcode : undefined;
}

/** `PUT <url> answered 429 M_LIMIT_EXCEEDED: Too many requests`; the wait from `retry_after_ms`, else `Retry-After`. */
function matrixError(request: HttpRequest, response: HttpResponse, what?: string): MatrixError {
  const body = errorBody(response);
  const errcode = typeof body.errcode === 'string' ? body.errcode : undefined;
  const error = typeof body.error === 'string' ? body.error.slice(0, 300) : '';
  const retryAfter = Number(response.headers['retry-after']);
  const wait =
    typeof body.retry_after_ms === 'number' && body.retry_after_ms >= 0
      ? body.retry_after_ms
      : Number.isFinite(retryAfter) && retryAfter >= 0
        ? retryAfter * 1000
        : undefined;
  const said = [errcode, error].filter(Boolean).join(': ');
  return new MatrixError(
    response.status,
    errcode,
    `${what ?? `${request.method} ${redactUrl(request.url)}`} answered ${response.status}${said ? ` ${said}` : ''}`,
    wait,
  );
}
