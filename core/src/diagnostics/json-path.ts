/** Config paths as core writes them in messages (`reporters[0].options.mode`), split and walked. */

export type PathSegment = string | number;

/** `reporters[0].options.mode` → ['reporters', 0, 'options', 'mode']; `(root)` → []. */
export function splitPath(path: string): PathSegment[] {
  if (path === '(root)' || path === '') return [];
  const out: PathSegment[] = [];
  for (const m of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)) out.push(m[1] !== undefined ? Number(m[1]) : m[2]);
  return out;
}

/** The inverse of splitPath. */
export function joinPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`;
  return out || '(root)';
}

/** The value at `segments` inside `data`, or undefined. */
export function valueAt(data: unknown, segments: readonly PathSegment[]): unknown {
  let node = data;
  for (const s of segments) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[s];
  }
  return node;
}
