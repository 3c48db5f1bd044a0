/**
 * The one module that talks to the network. Everything else uses the `Transport` contract, so
 * node-fetch (about 4x the cost of a bare node:http request, see bench/) can be swapped out here.
 */
import fetch, { type Response } from 'node-fetch';
import { AgentPool, type TlsSettings } from './agents.js';
import { HttpTransportError } from './errors.js';
import { redactUrl } from './redact.js';
import { encodeBody, methodOf, type HttpRequest, type HttpResponse } from './request.js';
import type { Environment } from './proxy.js';
import { defined } from '../lang/defined.js';

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_REDIRECTS = 5;

export interface PerformOptions {
  signal?: AbortSignal;
  timeoutMs: number;
  maxBodyBytes?: number;
  tls: TlsSettings;
  /** Identifies `tls` so requests with equal settings share connections. */
  tlsKey: string;
}

export interface Transport {
  /** Sends one request; resolves with the response whatever its status, rejects with HttpTransportError. */
  perform(request: HttpRequest, options: PerformOptions): Promise<HttpResponse>;
  /** Closes pooled connections. */
  close(): void;
}

export class NodeFetchTransport implements Transport {
  private readonly agents: AgentPool;
  constructor(env: Environment = process.env) {
    this.agents = new AgentPool(env);
  }

  async perform(request: HttpRequest, options: PerformOptions): Promise<HttpResponse> {
    const method = methodOf(request);
    // Named in errors only: redacted when one happens, not for every request.
    const where = () => `${method} ${redactUrl(request.url)}`;
    // One controller and a plain timer: cheaper per request than AbortSignal.timeout + AbortSignal.any.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    const onAbort = () => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    const { text, contentType } = encodeBody(request.body);
    const headers: Record<string, string> = { ...(contentType ? { 'content-type': contentType } : {}) };
    for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
    headers['user-agent'] ??= 'bbreporters';
    let response: Response;
    try {
      response = await fetch(request.url, {
        method,
        headers,
        ...defined({ body: text }),
        signal: controller.signal,
        follow: MAX_REDIRECTS,
        agent: (url: URL) => this.agents.agentFor(url, options.tls, options.tlsKey),
      });
      const body = await readBounded(response, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
      return toResponse(response, body, where);
    } catch (error) {
      throw transportError(error, where, options, timedOut);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    this.agents.destroy();
  }
}

function transportError(
  error: unknown,
  where: () => string,
  options: PerformOptions,
  timedOut: boolean,
): HttpTransportError {
  if (timedOut)
    return new HttpTransportError(`${where()}: no answer within ${options.timeoutMs} ms`, true, { cause: error });
  if (options.signal?.aborted) {
    const reason = options.signal.reason instanceof Error ? options.signal.reason.message : 'aborted';
    return new HttpTransportError(`${where()}: aborted (${reason})`, false, { cause: error });
  }
  const code = (error as { code?: string }).code;
  const message =
    error instanceof Error ? error.message.replace(/https?:\/\/\S+/g, (u) => redactUrl(u)) : String(error);
  return new HttpTransportError(`${where()}: ${code && !message.includes(code) ? `${code} ` : ''}${message}`, true, {
    cause: error,
  });
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const body = response.body;
  if (!body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as unknown as Uint8Array);
    chunks.push(buffer);
    size += buffer.length;
    if (size >= maxBytes) {
      (body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

function toResponse(response: Response, text: string, where: () => string): HttpResponse {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
  return {
    status: response.status,
    headers,
    text,
    json<T>(): T {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new Error(
          `${where()} answered ${response.status} with a body that is not JSON (${text.length} characters)`,
        );
      }
    },
  };
}
