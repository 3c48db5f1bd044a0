import { describe, expect, it } from 'vitest';
import { BuildbotSource } from './source.js';

describe('the buildbot source', () => {
  it('fails to start with BBR_SOURCE_START naming the master when it cannot be reached', async () => {
    const source = new BuildbotSource({ url: 'http://127.0.0.1:9/', timeoutMs: 2000 });
    await expect(source.start(async () => ({}) as never)).rejects.toMatchObject({
      code: 'BBR_SOURCE_START',
      message: expect.stringMatching(/^buildbot source cannot connect to http:\/\/127\.0\.0\.1:9\/: .*ECONNREFUSED/),
    });
  });

  it('exposes the control API and the enricher before it starts, for the Runtime', () => {
    const source = new BuildbotSource({ url: 'http://127.0.0.1:9' });
    expect(source.type).toBe('buildbot');
    expect(typeof source.master.forceBuild).toBe('function');
    expect(typeof source.enricher.enrich).toBe('function');
  });
});
