/**
 * YAML syntax errors as config problems, located at file:line:column. The parser's words are
 * kept, except for the mistake everyone makes once: an unquoted `${NAME}` inside a flow
 * collection (`options: {password: ${PW}}`), where YAML reads `{` as the start of a map.
 */
import type { LineCounter, YAMLError } from 'yaml';
import type { ErrorDetail } from '../diagnostics/errors.js';

/** `${NAME}` as `substituteEnv` reads it, anchored at the `$`. */
const reference = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/;

export function yamlProblems(
  errors: readonly YAMLError[],
  text: string,
  lines: LineCounter,
  file: string,
): ErrorDetail[] {
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const details: ErrorDetail[] = [];
  let unquoted = false;
  for (const error of errors) {
    const offset = error.pos[0];
    // The parser stops at the `{` of `${`: the `$` before it is a plain scalar inside the flow collection.
    const name = text[offset - 1] === '$' ? reference.exec(text.slice(offset - 1))?.[1] : undefined;
    if (name) {
      unquoted = true;
      details.push({
        path: '(yaml)',
        location: at(offset - 1),
        message:
          `\${${name}} must be quoted inside a flow collection ({…} or […]): write "\${${name}}". ` +
          `Unquoted, YAML reads its "{" as the start of a map (${error.message})`,
      });
    } else if (!unquoted) {
      // After an unquoted ${NAME} the parser's further errors are its consequences.
      details.push({ path: '(yaml)', location: at(offset), message: error.message });
    }
  }
  return details;
}
