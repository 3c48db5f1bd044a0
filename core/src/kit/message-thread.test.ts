import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../testing/logger.js';
import { MessageRefs } from './message-refs.js';
import { sendInThread, type ThreadCalls } from './message-thread.js';

const refsFile = () => join(mkdtempSync(join(tmpdir(), 'bbr-thread-')), 'refs.json');

/** A chat service in memory: what was posted (with its parent), what was edited, which ids refuse an edit. */
function service(refuse = new Set<string>()) {
  const log: string[] = [];
  let next = 1;
  const calls: ThreadCalls = {
    post: (parent) => {
      const id = `m${next++}`;
      log.push(parent ? `reply ${id} to ${parent}` : `post ${id}`);
      return Promise.resolve(id);
    },
    edit: (ref) => {
      log.push(refuse.has(ref) ? `edit ${ref} refused` : `edit ${ref}`);
      return Promise.resolve(!refuse.has(ref));
    },
  };
  return { log, calls };
}

describe('sendInThread', () => {
  it('posts the start, edits it on finish, replies in its thread, then forgets it', async () => {
    const refs = new MessageRefs(refsFile(), recordingLogger());
    const { log, calls } = service();
    for (const step of ['start', 'finish', 'reply'] as const)
      await sendInThread(refs, 't', { build: 7, step }, calls, true);
    expect(log).toEqual(['post m1', 'edit m1', 'reply m2 to m1']);
    expect(refs.get('t', 7)).toBeUndefined();
  });

  it('without replies the finish forgets the started message', async () => {
    const refs = new MessageRefs(refsFile(), recordingLogger());
    const { log, calls } = service();
    await sendInThread(refs, 't', { build: 7, step: 'start' }, calls, false);
    expect(await sendInThread(refs, 't', { build: 7, step: 'finish' }, calls, false)).toEqual({
      action: 'edited',
      ref: 'm1',
    });
    expect(log).toEqual(['post m1', 'edit m1']);
    expect(refs.get('t', 7)).toBeUndefined();
  });

  it('a finish without a started message, or whose edit is refused, is posted; no reply follows it', async () => {
    const refs = new MessageRefs(refsFile(), recordingLogger());
    const { log, calls } = service(new Set(['m2']));
    await sendInThread(refs, 't', { build: 1, step: 'finish' }, calls, true);
    await sendInThread(refs, 't', { build: 2, step: 'start' }, calls, true);
    await sendInThread(refs, 't', { build: 2, step: 'finish' }, calls, true);
    expect(await sendInThread(refs, 't', { build: 2, step: 'reply' }, calls, true)).toEqual({ action: 'skipped' });
    expect(log).toEqual(['post m1', 'post m2', 'edit m2 refused', 'post m3']);
  });
});
