/**
 * `${NAME}` in any string value of the config reads the environment; `$${` stands for a
 * literal `${`. A variable that is not set is an error naming the variable and the key.
 */
import type { ErrorDetail } from '../diagnostics/errors.js';
import { joinPath, type PathSegment } from '../diagnostics/json-path.js';

const reference = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces references in place inside `data`; returns one problem per missing variable. */
export function substituteEnv(data: unknown, env: NodeJS.ProcessEnv): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const visit = (value: unknown, path: PathSegment[]): unknown => {
    if (typeof value === 'string') {
      if (!value.includes('${')) return value;
      return value.replace(reference, (_match, name: string | undefined) => {
        if (name === undefined) return '${';
        const found = env[name];
        if (found === undefined) {
          problems.push({
            path: joinPath(path),
            message: `environment variable ${name} is not set (referenced as \${${name}})`,
          });
          return '';
        }
        return found;
      });
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => (value[i] = visit(item, [...path, i])));
    } else if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) record[key] = visit(record[key], [...path, key]);
    }
    return value;
  };
  visit(data, []);
  return problems;
}
