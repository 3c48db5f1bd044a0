import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from './logger.js';
import { MASK } from './mask.js';
import { prettyLogLines } from './pretty-logs.js';

function collector() {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { out, text: () => lines.join('') };
}

describe('pretty log lines', () => {
  it('shows local time, level and message, then the fields on the same line', () => {
    const { out, text } = collector();
    const logger = createLogger({ secrets: new Set(), destination: prettyLogLines(out, { colour: false }) });
    logger.info({ url: 'http://127.0.0.1:8020/' }, 'http source listening');
    expect(text()).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: http source listening \{"url":"http:\/\/127\.0\.0\.1:8020\/"\}\n$/,
    );
  });

  it('colours the level only when asked to', () => {
    const plain = collector();
    const coloured = collector();
    createLogger({ secrets: new Set(), destination: prettyLogLines(plain.out, { colour: false }) }).warn('careful');
    createLogger({ secrets: new Set(), destination: prettyLogLines(coloured.out, { colour: true }) }).warn('careful');
    expect(plain.text()).not.toContain('\u001b[');
    expect(coloured.text()).toContain('\u001b[');
  });

  it('masks secrets in the message, the fields and an error, as JSON lines are', () => {
    const { out, text } = collector();
    const secret = 'tok-"pretty"-4471';
    const secrets = new Set<string>();
    const logger = createLogger({ secrets, destination: prettyLogLines(out, { colour: false }) });
    secrets.add(secret);
    logger.error({ header: `Bearer ${secret}`, err: new Error(`refused ${secret}`) }, `sending with ${secret} failed`);
    expect(text()).not.toContain('4471');
    expect(text()).toContain(`sending with ${MASK} failed`);
    expect(text()).toContain(`refused ${MASK}`);
  });
});
