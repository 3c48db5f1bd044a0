/**
 * What a JSON Schema allows at a place in the data: the keys an object may have and the values
 * a discriminator accepts. Only used to word errors ("did you mean", "allowed: …"), so it follows
 * the common shapes (properties, items, $ref, allOf/anyOf/oneOf) and gives up quietly elsewhere.
 */
import { readSchema, schemaBase, schemaFiles } from '../contracts/schemas.js';
import { valueAt, type PathSegment } from '../diagnostics/json-path.js';

type Schema = Record<string, unknown>;

interface Scope {
  root: Schema;
  /** The root's $id, for relative $refs. */
  base: string;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pointer(root: unknown, fragment: string): unknown {
  let node = root;
  for (const part of fragment.split('/').slice(1)) {
    if (!isSchema(node)) return undefined;
    node = node[decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/** Follows a $ref inside the root, or to one of core's schemas by URI. */
function follow(ref: string, scope: Scope): { schema: Schema; scope: Scope } | undefined {
  const [uri, fragment = ''] = ref.split('#');
  let next = scope;
  if (uri) {
    const absolute = scope.base ? new URL(uri, scope.base).href : uri;
    // Core's schemas by their $id, read as JSON: wording an error needs no compiled validator.
    const file = schemaFiles.find((f) => schemaBase + f === absolute);
    const target = file && readSchema(file);
    if (!isSchema(target)) return undefined;
    next = { root: target, base: absolute };
  }
  const schema = fragment ? pointer(next.root, fragment) : next.root;
  return isSchema(schema) ? { schema, scope: next } : undefined;
}

/** The schema and every schema it combines with (refs, allOf/anyOf/oneOf branches). */
function expand(schema: Schema, scope: Scope, data: unknown, depth = 0): Array<{ schema: Schema; scope: Scope }> {
  if (depth > 20) return [];
  const out = [{ schema, scope }];
  if (typeof schema.$ref === 'string') {
    const target = follow(schema.$ref, scope);
    if (target) out.push(...expand(target.schema, target.scope, data, depth + 1));
  }
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    const branches = schema[keyword];
    if (!Array.isArray(branches)) continue;
    const expanded = branches.filter(isSchema).map((b) => expand(b, scope, data, depth + 1));
    // A discriminated union: keep the branch whose constant matches the data, when one does.
    const tag = isSchema(schema.discriminator) ? String(schema.discriminator.propertyName) : undefined;
    const chosen =
      tag && isSchema(data)
        ? expanded.filter((group) =>
            group.some(
              ({ schema: s }) =>
                isSchema(s.properties) && isSchema(s.properties[tag]) && s.properties[tag].const === data[tag],
            ),
          )
        : [];
    for (const group of chosen.length ? chosen : expanded) out.push(...group);
  }
  return out;
}

/** The schemas that apply at `segments` inside `data`. */
export function schemasAt(
  rootSchema: Schema,
  segments: readonly PathSegment[],
  data: unknown,
): Array<{ schema: Schema; scope: Scope }> {
  let current = expand(
    rootSchema,
    { root: rootSchema, base: typeof rootSchema.$id === 'string' ? rootSchema.$id : '' },
    data,
  );
  segments.forEach((segment, i) => {
    const here = valueAt(data, segments.slice(0, i + 1));
    const next: Array<{ schema: Schema; scope: Scope }> = [];
    for (const { schema, scope } of current) {
      let child: unknown;
      if (typeof segment === 'number')
        child = isSchema(schema.items)
          ? schema.items
          : Array.isArray(schema.prefixItems)
            ? schema.prefixItems[segment]
            : undefined;
      else
        child =
          isSchema(schema.properties) && isSchema(schema.properties[segment])
            ? schema.properties[segment]
            : isSchema(schema.additionalProperties)
              ? schema.additionalProperties
              : undefined;
      if (isSchema(child)) next.push(...expand(child, scope, here));
    }
    current = next;
  });
  return current;
}

/** The keys the schema allows for the object at `segments`. */
export function allowedKeys(rootSchema: Schema, segments: readonly PathSegment[], data: unknown): string[] {
  const keys = new Set<string>();
  for (const { schema } of schemasAt(rootSchema, segments, data)) {
    if (isSchema(schema.properties)) for (const key of Object.keys(schema.properties)) keys.add(key);
  }
  return [...keys];
}

/** The constants the branches of a discriminated union accept for `tag` at `segments`. */
export function discriminatorValues(rootSchema: Schema, segments: readonly PathSegment[], tag: string): string[] {
  const values = new Set<string>();
  for (const { schema } of schemasAt(rootSchema, segments, undefined)) {
    const property = isSchema(schema.properties) ? schema.properties[tag] : undefined;
    if (isSchema(property) && typeof property.const === 'string') values.add(property.const);
  }
  return [...values];
}
