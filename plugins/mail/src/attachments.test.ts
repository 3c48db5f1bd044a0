import type { BuildPayload, Buildset } from '@bbreporters/core';
import { expect, test } from 'vitest';
import { logAttachments, patchAttachments } from './attachments.js';

const log = (name: string, content?: string) => ({
  logid: 1,
  name,
  slug: name,
  stepid: 1,
  type: 's',
  ...(content === undefined ? {} : { content }),
});
const build = (builder: string, steps: Array<{ name: string; logs: ReturnType<typeof log>[] }>) =>
  ({
    buildid: 1,
    number: 1,
    builder: { builderid: 1, name: builder },
    steps: steps.map((s, i) => ({
      stepid: i,
      number: i,
      name: s.name,
      buildid: 1,
      results: 0,
      state_string: '',
      logs: s.logs,
    })),
  }) as unknown as BuildPayload;

const compile = build('linux', [
  { name: 'compile', logs: [log('stdio', 'ocompiling\n'), log('warnings', 'w1\n')] },
  { name: 'test', logs: [log('stdio', 'otesting\n')] },
]);
const warn = () => undefined;

test('addLogs true attaches every log as stepname.logname', () => {
  expect(logAttachments([compile], true, warn).map((a) => a.filename)).toEqual([
    'compile.stdio',
    'compile.warnings',
    'test.stdio',
  ]);
});

test('addLogs names select by logname or stepname.logname', () => {
  expect(logAttachments([compile], ['warnings', 'test.stdio'], warn).map((a) => a.filename)).toEqual([
    'compile.warnings',
    'test.stdio',
  ]);
  expect(logAttachments([compile], false, warn)).toEqual([]);
});

test('several builds in one mail prefix the builder name', () => {
  const other = build('mac', [{ name: 'compile', logs: [log('stdio', 'x')] }]);
  expect(logAttachments([compile, other], ['compile.stdio'], warn).map((a) => a.filename)).toEqual([
    'linux.compile.stdio',
    'mac.compile.stdio',
  ]);
});

test('a log the source gave no content for is left out with a warning', () => {
  const warnings: unknown[] = [];
  const b = build('linux', [{ name: 'compile', logs: [log('stdio')] }]);
  expect(logAttachments([b], true, (f) => void warnings.push(f))).toEqual([]);
  expect(warnings).toHaveLength(1);
});

test('patches are attached as "source patch <i>"', () => {
  const buildset = {
    bsid: 1,
    sourcestamps: [
      { ssid: 1, patch: { patchid: 1, body: 'diff --git a/x b/x\n' } },
      { ssid: 2, patch: null },
      { ssid: 3, patch: { patchid: 2, body: '--- y\n' } },
    ],
  } as unknown as Buildset;
  expect(patchAttachments(buildset)).toEqual([
    { filename: 'source patch 0', content: 'diff --git a/x b/x\n', contentType: 'text/plain; charset=utf-8' },
    { filename: 'source patch 1', content: '--- y\n', contentType: 'text/plain; charset=utf-8' },
  ]);
});
