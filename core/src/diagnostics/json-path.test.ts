import { describe, expect, it } from 'vitest';
import { joinPath, splitPath } from './json-path.js';

describe('config paths', () => {
  it('splits and joins the paths messages use', () => {
    expect(splitPath('reporters[0].options.mode')).toEqual(['reporters', 0, 'options', 'mode']);
    expect(joinPath(['reporters', 0, 'options', 'mode'])).toBe('reporters[0].options.mode');
    expect(splitPath('(root)')).toEqual([]);
  });
});
