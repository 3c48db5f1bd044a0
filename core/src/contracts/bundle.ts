/**
 * One self-contained JSON Schema (2020-12) from several: each resource is embedded under the root's
 * `$defs`, and every `$ref` is rewritten to a local `#/…` pointer. Editors (yaml-language-server)
 * resolve neither embedded `$id`s nor references to files they would have to fetch, so the bundle
 * keeps no `$id`, `$anchor` or non-local `$ref`.
 */

type Schema = Record<string, unknown>;

export interface SchemaResource {
  /** Its key under the root's `$defs`: letters, digits, `.`, `_`, `-`. */
  key: string;
  schema: Schema;
  /** Where relative references resolve from when the schema has no `$id` (a file: URL). */
  baseUri: string;
}

/** A `$ref` that names no bundled schema; it was dropped, so that spot of the bundle accepts anything. */
export interface UnresolvedReference {
  /** JSON pointer of the schema holding the `$ref`, in the bundle. */
  at: string;
  ref: string;
}

/** Keywords whose values are data, not schemas: a `$ref` or `$id` key inside them is left alone. */
const dataKeywords = new Set(['const', 'default', 'enum', 'examples']);
/** Keywords whose values map names to schemas: a property may be called `default` or `$ref`. */
const schemaMaps = new Set(['$defs', 'definitions', 'properties', 'patternProperties', 'dependentSchemas']);

/** A JSON pointer token as it may stand in a URI fragment (RFC 6901 §6): `$defs` stays readable. */
const pointerToken = (key: string) =>
  key
    .replace(/~/g, '~0')
    .replace(/\//g, '~1')
    .replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@]/gu, encodeURIComponent);
const withoutFragment = (uri: string) => uri.replace(/#.*$/, '');

type Visit = (schema: Schema, base: string, at: string) => void;

/** Calls `visit` on every schema object in `schema` (one schema or an array of them), with its base URI and pointer. */
function walk(schema: unknown, base: string, pointer: string, visit: Visit): void {
  if (Array.isArray(schema)) {
    schema.forEach((item, index) => walk(item, base, `${pointer}/${index}`, visit));
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as Schema;
  const own = typeof node.$id === 'string' ? withoutFragment(new URL(node.$id, base).href) : base;
  visit(node, own, pointer);
  for (const [key, value] of Object.entries(node)) {
    const at = `${pointer}/${pointerToken(key)}`;
    if (schemaMaps.has(key) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [name, sub] of Object.entries(value)) walk(sub, own, `${at}/${pointerToken(name)}`, visit);
    } else if (!dataKeywords.has(key)) walk(value, own, at, visit);
  }
}

/**
 * `root` with each resource under `$defs[key]` and every reference local. `rootUri` is the root's
 * base URI (its `$id`). Resources keep their own `$defs`; a reference into one becomes
 * `#/$defs/KEY/…`. An embedded `$schema` is dropped: 2020-12 allows it only beside an `$id`.
 */
export function bundleSchema(
  root: Schema,
  rootUri: string,
  resources: readonly SchemaResource[],
): { schema: Schema; unresolved: UnresolvedReference[] } {
  const defs: Schema = { ...(root.$defs as Schema | undefined) };
  // A copy, so rewriting never touches the caller's schemas (core caches them).
  for (const r of resources) {
    // A relative $id resolves against where the schema was read from.
    const id = new URL(typeof r.schema.$id === 'string' ? r.schema.$id : '', r.baseUri).href;
    defs[r.key] = structuredClone({ ...r.schema, $id: id });
  }
  const bundle: Schema = structuredClone({ ...root, $id: rootUri, $defs: defs });

  // Where each resource (by absolute URI without fragment) and each anchor sits in the bundle.
  const resourceAt = new Map<string, string>();
  const anchorAt = new Map<string, string>();
  walk(bundle, rootUri, '', (node, base, at) => {
    if (typeof node.$id === 'string' && !resourceAt.has(base)) resourceAt.set(base, at);
    if (typeof node.$anchor === 'string') anchorAt.set(`${base}#${node.$anchor}`, at);
  });

  const unresolved: UnresolvedReference[] = [];
  walk(bundle, rootUri, '', (node, base, at) => {
    if (typeof node.$ref !== 'string') return;
    const target = new URL(node.$ref, base);
    const fragment = target.hash.slice(1);
    const resource = resourceAt.get(withoutFragment(target.href));
    const local =
      resource === undefined
        ? undefined
        : fragment === '' || fragment.startsWith('/')
          ? `${resource}${fragment}`
          : anchorAt.get(`${withoutFragment(target.href)}#${fragment}`);
    if (local === undefined) {
      unresolved.push({ at: at || '/', ref: node.$ref });
      delete node.$ref;
    } else node.$ref = `#${local}`;
  });
  walk(bundle, rootUri, '', (node, _base, at) => {
    if (typeof node.$id === 'string') delete node.$id;
    if (typeof node.$anchor === 'string') delete node.$anchor;
    if (at !== '' && typeof node.$schema === 'string') delete node.$schema;
  });
  return { schema: bundle, unresolved };
}
