import { describe, expect, it } from 'vitest';
import type { Logger } from '../diagnostics/logger.js';
import { recordingLogger } from './logger.js';

describe('recordingLogger', () => {
  it("records each level's messages, in order, apart from the other levels'", () => {
    const logger = recordingLogger();
    logger.warn({ label: 'x' }, 'first warning');
    logger.info('started');
    logger.warn('second warning');
    logger.error({}, 'failed');
    expect(logger.messages('warn')).toEqual(['first warning', 'second warning']);
    expect(logger.messages('info')).toEqual(['started']);
    expect(logger.messages('error')).toEqual(['failed']);
    expect(logger.messages('debug')).toEqual([]);
  });

  it("keeps the object's fields, and an error logged alone as err with its message", () => {
    const logger = recordingLogger();
    const error = new Error('disk full');
    logger.error(error);
    logger.warn({ file: '/x', err: 'EACCES' }, 'unreadable');
    expect(logger.records).toEqual([
      { level: 'error', msg: 'disk full', fields: { err: error } },
      { level: 'warn', msg: 'unreadable', fields: { file: '/x', err: 'EACCES' } },
    ]);
  });

  it("records a child's calls in the parent's records, with the child's bindings", () => {
    const logger = recordingLogger();
    const child = logger.child({ reporter: 'gh' }).child({ attempt: 2 });
    child.debug({ status: 503 }, 'retrying');
    expect(logger.records).toEqual([
      { level: 'debug', msg: 'retrying', fields: { reporter: 'gh', attempt: 2, status: 503 } },
    ]);
    expect(child.records).toBe(logger.records);
  });

  it("records trace and fatal too, called through core's Logger type", () => {
    const recorder = recordingLogger();
    const logger: Logger = recorder;
    logger.fatal({}, 'down');
    logger.trace({}, 'detail');
    expect(recorder.records.map((r) => `${r.level} ${r.msg}`)).toEqual(['fatal down', 'trace detail']);
  });
});
