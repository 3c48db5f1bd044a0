/**
 * `ctx.http`: core's HTTP client bound to one reporter's TLS settings and timeout. `send` turns a
 * non-success status into an HttpError whose message and body excerpt never carry credentials.
 */
import { createHash } from 'node:crypto';
import type { TlsSettings } from './agents.js';
import { excerpt, HttpError, InvalidHttpRequestError } from './errors.js';
import { redactText, redactUrl, requestSecrets } from './redact.js';
import {
  httpRequestProblems,
  methodOf,
  type HttpCallOptions,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
} from './request.js';
import type { Transport } from './transport.js';

export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;
/** Masking looks this far into a body, more than the excerpt keeps, so a secret is masked before the cut. */
const EXCERPT_WINDOW = 4096;

export interface HttpClientOptions {
  transport: Transport;
  tls?: TlsSettings;
  timeoutMs?: number;
  /** Known secret values (x-secret options) to mask in error messages. */
  secrets?: Iterable<string>;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const tls = options.tls ?? {};
  const tlsKey =
    tls.ca || tls.verify === false
      ? createHash('sha256')
          .update(`${tls.verify !== false}|${tls.ca ?? ''}`)
          .digest('hex')
          .slice(0, 16)
      : 'default';
  const request = async (req: HttpRequest, call: HttpCallOptions = {}): Promise<HttpResponse> => {
    const problems = httpRequestProblems(req);
    if (problems.length) throw new InvalidHttpRequestError(`not a valid HTTP request: ${problems.join('; ')}`);
    return options.transport.perform(req, {
      timeoutMs: call.timeoutMs ?? options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
      tls,
      tlsKey,
      ...(call.signal ? { signal: call.signal } : {}),
      ...(call.maxBodyBytes ? { maxBodyBytes: call.maxBodyBytes } : {}),
    });
  };
  return {
    request,
    async send(req, call) {
      const response = await request(req, call);
      if (isOk(req, response.status)) return response;
      throw httpErrorFor(req, response, [...requestSecrets(req), ...(options.secrets ?? [])]);
    },
  };
}

export function isOk(request: HttpRequest, status: number): boolean {
  return request.okStatuses ? request.okStatuses.includes(status) : status >= 200 && status < 300;
}

function httpErrorFor(request: HttpRequest, response: HttpResponse, secrets: string[]): HttpError {
  const statusText = STATUS_TEXT[response.status] ?? '';
  return new HttpError(
    methodOf(request),
    redactUrl(request.url),
    response.status,
    statusText,
    excerpt(redactText(response.text.slice(0, EXCERPT_WINDOW), secrets)),
    response.headers,
  );
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
