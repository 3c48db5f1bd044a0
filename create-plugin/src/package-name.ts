/** npm's rules for a package name, with a message that says which one a name breaks. */
export function packageNameProblem(name: string): string | undefined {
  if (!name) return 'a package name is required';
  if (name.length > 214) return 'must be at most 214 characters';
  if (name !== name.toLowerCase()) return 'must be lower case';
  if (name.trim() !== name) return 'must not start or end with spaces';
  const match = /^(?:@([^/]+)\/)?([^/]+)$/.exec(name);
  if (!match) return 'must be "name" or "@scope/name"';
  for (const part of [match[1], match[2]]) {
    if (part === undefined) continue;
    if (/^[._]/.test(part)) return 'must not start with "." or "_"';
    if (!/^[a-z0-9][a-z0-9._~-]*$/.test(part)) return 'may contain only lower-case letters, digits and - . _ ~';
  }
  if (['node_modules', 'favicon.ico'].includes(match[2])) return `"${match[2]}" is a reserved name`;
  return undefined;
}

/** `@acme/bbreporters-slack` → `bbreporters-slack` (the folder name). */
export function unscoped(name: string): string {
  return name.replace(/^@[^/]+\//, '');
}

/** `bbreporters-slack` → `BbreportersSlack` (type names in the generated code). */
export function pascalCase(name: string): string {
  return unscoped(name)
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
}
