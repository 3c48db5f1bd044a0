import { describe, expect, it } from 'vitest';
import { maskedWebhookUrl, toWebhook } from './webhook-url.js';

const URL_WITH_SIG =
  'https://prod-12.westeurope.logic.azure.com:443/workflows/0f3c/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s3cr3t';

describe('webhook URLs', () => {
  it('a queued request shows the origin only: no path, no query', () => {
    expect(maskedWebhookUrl(URL_WITH_SIG)).toBe('https://prod-12.westeurope.logic.azure.com/********');
    expect(maskedWebhookUrl('http://127.0.0.1:8080/hooks/abc')).toBe('http://127.0.0.1:8080/********');
  });

  it('authorize sends the request to the webhook itself, keeping method, headers and body', () => {
    const queued = {
      method: 'POST' as const,
      url: maskedWebhookUrl(URL_WITH_SIG),
      body: { a: 1 },
      headers: { x: 'y' },
    };
    expect(toWebhook(URL_WITH_SIG)(queued)).toEqual({ ...queued, url: URL_WITH_SIG });
    expect(queued.url).not.toContain('s3cr3t');
  });
});
