import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { CsrfGuard } from './csrf.js';

const request = (headers: Record<string, string>) => ({ headers: { host: 'ci:8020', ...headers } }) as IncomingMessage;

describe('the console CSRF guard', () => {
  const guard = new CsrfGuard();
  const action = '/ui/deliveries/d1/retry';
  const token = guard.token(action);

  it('lets through a form from the console itself, by Origin or, without one, by Referer', () => {
    expect(guard.refusal(request({ origin: 'http://ci:8020' }), action, token)).toBeUndefined();
    expect(guard.refusal(request({ referer: 'http://ci:8020/ui/' }), action, token)).toBeUndefined();
  });

  it('refuses another site, an opaque origin, no origin at all, and a token made for another action or another start', () => {
    expect(guard.refusal(request({ origin: 'http://evil.example' }), action, token)).toMatch(/another site/);
    expect(guard.refusal(request({ origin: 'null', referer: 'http://ci:8020/ui/' }), action, token)).toBeDefined();
    expect(guard.refusal(request({}), action, token)).toMatch(/no Origin or Referer/);
    const origin = { origin: 'http://ci:8020' };
    expect(guard.refusal(request(origin), '/ui/deliveries/d2/retry', token)).toMatch(/token/);
    expect(guard.refusal(request(origin), action, new CsrfGuard().token(action))).toMatch(/token/);
    expect(guard.refusal(request(origin), action, undefined)).toMatch(/token/);
  });
});
