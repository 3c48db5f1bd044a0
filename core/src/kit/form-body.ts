/**
 * Requests with an `application/x-www-form-urlencoded` body (Pushover, Pushjet). The body is kept
 * as its encoded text, so a queued request is what goes on the wire; `withFormFields` adds the
 * credentials an `authorize` handler or a `send` puts in at each attempt.
 */
import type { HttpRequest } from '../http/request.js';

export type FormFields = Record<string, string | number | boolean>;

const encode = (fields: FormFields, into = new URLSearchParams()): URLSearchParams => {
  for (const [name, value] of Object.entries(fields)) into.set(name, String(value));
  return into;
};

/** `POST url` with `fields` form-encoded. */
export function formRequest(url: string, fields: FormFields): HttpRequest {
  return {
    method: 'POST',
    url,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: encode(fields).toString(),
  };
}

/** `request` (a formRequest) with `fields` added to its body, or replacing fields of the same name. */
export function withFormFields(request: HttpRequest, fields: FormFields): HttpRequest {
  const body = typeof request.body === 'string' ? request.body : '';
  return { ...request, body: encode(fields, new URLSearchParams(body)).toString() };
}
