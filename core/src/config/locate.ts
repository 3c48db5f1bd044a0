/**
 * Maps config paths (`reporters[0].options.mode`) to `file:line:column` through the YAML
 * parser's node ranges, so every error points at the line the user must change.
 */
import type { Document, LineCounter, Node } from 'yaml';
import { isMap, isScalar, isSeq } from './yaml.js';
import { splitPath } from '../diagnostics/json-path.js';

export interface Locator {
  /**
   * Where `path` is written. `key: true` points at the key itself (an unknown key); otherwise at
   * the value. A path that does not exist (a missing key) points at the nearest existing parent.
   */
  (path: string, options?: { key?: boolean }): string;
}

export function createLocator(doc: Document, lines: LineCounter, file: string): Locator {
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  return (path, options = {}) => {
    let node: Node | null = doc.contents;
    let keyNode: Node | null = null;
    for (const segment of splitPath(path)) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment),
        );
        if (!pair) break;
        keyNode = isScalar(pair.key) ? pair.key : null;
        node = (pair.value as Node | null) ?? keyNode;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
        keyNode = null;
        node = node.items[segment] as Node;
      } else break;
    }
    const target = options.key && keyNode ? keyNode : node;
    return at(target?.range?.[0] ?? 0);
  };
}
