/** The transcript runner the docs walk relies on: it must see a page that lies. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingLines, runTranscript, transcriptSteps } from './support/doc-transcript.js';

const page = [
  'Intro.',
  '```yaml file=cfg.yaml',
  'a: 1',
  '```',
  '```console',
  '$ cd sub 2>/dev/null || mkdir sub && cd sub',
  '$ export GREETING=hello',
  '$ echo "$GREETING" \\',
  '    world; cat ../cfg.yaml',
  'hello world',
  'a: 1',
  '```',
  '```sh',
  'not run',
  '```',
].join('\n');

describe('doc transcripts', () => {
  it('reads commands (with continuations), what they print, and files to write', () => {
    expect(transcriptSteps(page)).toEqual([
      { kind: 'file', name: 'cfg.yaml', content: 'a: 1\n' },
      { kind: 'command', command: 'cd sub 2>/dev/null || mkdir sub && cd sub', shown: [] },
      { kind: 'command', command: 'export GREETING=hello', shown: [] },
      { kind: 'command', command: 'echo "$GREETING" \\\n    world; cat ../cfg.yaml', shown: ['hello world', 'a: 1'] },
    ]);
  });

  it('runs them in one session (cd and export carry over) and reports each output and exit code', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'bbr-transcript-'));
    const results = await runTranscript(transcriptSteps(page), { cwd, env: { PATH: process.env.PATH } });
    expect(results.map((r) => [r.exitCode, r.output])).toEqual([
      [0, ''],
      [0, ''],
      [0, 'hello world\na: 1\n'],
    ]);
    expect(readFileSync(join(cwd, 'cfg.yaml'), 'utf8')).toBe('a: 1\n');
  });

  it('finds shown lines that are missing, out of order, or not together; … skips lines', () => {
    const output = 'one\ntwo\nthree\nfour\n';
    expect(missingLines(['two', 'three'], output)).toEqual([]);
    expect(missingLines(['one', '…', 'four'], output)).toEqual([]);
    expect(missingLines(['one', 'three'], output)).toEqual(['one', 'three']);
    expect(missingLines(['three', '…', 'two'], output)).toEqual(['two']);
    expect(missingLines(['five'], output)).toEqual(['five']);
    expect(missingLines(['{"durationMs":1.7}'], '{"durationMs":0.31}\n')).toEqual([]);
    const id = (hex: string) => `${hex.repeat(8)}-${hex.repeat(4)}-${hex.repeat(4)}-${hex.repeat(4)}-${hex.repeat(12)}`;
    expect(missingLines([`{"id":"${id('a')}"}`], `{"id":"${id('b')}"}\n`)).toEqual([]);
    expect(missingLines([`{"id":"${id('a')}"}`], `{"url":"${id('b')}"}\n`)).toHaveLength(1);
  });
});
