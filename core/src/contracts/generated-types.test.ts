import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without types
import { staleFiles } from '../../../scripts/gen-types.mjs';

describe('generated types', () => {
  it('match the schemas (run `npm run gen` after changing a schema)', async () => {
    expect(await (staleFiles as () => Promise<string[]>)()).toEqual([]);
  });
});
