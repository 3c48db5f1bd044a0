import { describe, expect, it } from 'vitest';
import { shellWords, UsageError } from './shell-words.js';

describe('shellWords', () => {
  it('splits on whitespace and honours quotes and backslashes like shlex', () => {
    expect(shellWords('  force build  "my builder" it\\ broke \'a "b"\'')).toEqual([
      'force',
      'build',
      'my builder',
      'it broke',
      'a "b"',
    ]);
    expect(shellWords('x="a b" ""')).toEqual(['x=a b', '']);
    expect(shellWords('')).toEqual([]);
  });

  it('reports an unbalanced quote as a usage error', () => {
    expect(() => shellWords('status "pass')).toThrow(UsageError);
    expect(() => shellWords("status 'pass")).toThrow('No closing quotation');
  });
});
