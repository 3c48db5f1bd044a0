import { describe, expect, it } from 'vitest';
import { normaliseEvent } from '../events/envelope.js';
import { fixture } from '../testing/fixtures.js';
import { KeyedSerializer, orderingKey } from './ordering.js';

describe('orderingKey', () => {
  it("gives a build's started and finished events the same key, other builds another", () => {
    expect(orderingKey(normaliseEvent(fixture('pass.new')))).toBe(
      orderingKey(normaliseEvent(fixture('pass.finished'))),
    );
    expect(orderingKey(normaliseEvent(fixture('pass.new')))).not.toBe(orderingKey(normaliseEvent(fixture('fail.new'))));
  });
});

describe('KeyedSerializer', () => {
  it('runs tasks of one key in order even when the first is slow, other keys at once', async () => {
    const serializer = new KeyedSerializer();
    const order: string[] = [];
    const slow = serializer.run('a', async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      order.push('a1');
    });
    const second = serializer.run('a', async () => void order.push('a2'));
    const other = serializer.run('b', async () => void order.push('b1'));
    await Promise.all([slow, second, other]);
    expect(order).toEqual(['b1', 'a1', 'a2']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(serializer.size).toBe(0);
  });

  it('keeps nothing for a task done without a promise; a task behind a busy key still waits for it', async () => {
    const serializer = new KeyedSerializer();
    const order: string[] = [];
    await expect(serializer.run('a', () => 'done at once')).resolves.toBe('done at once');
    expect(serializer.size).toBe(0);
    const slow = serializer.run('a', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('slow');
    });
    const next = serializer.run('a', () => void order.push('next'));
    await Promise.all([slow, next]);
    expect(order).toEqual(['slow', 'next']);
  });

  it('runs the next task of a key after one that failed', async () => {
    const serializer = new KeyedSerializer();
    const failed = serializer.run('a', async () => {
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');
    await expect(serializer.run('a', async () => 'next')).resolves.toBe('next');
  });
});
