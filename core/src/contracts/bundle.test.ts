import { describe, expect, it } from 'vitest';
import { bundleSchema } from './bundle.js';
import { createAjv } from './schemas.js';

const rootUri = 'https://example.test/schemas/root.json';

describe('bundleSchema', () => {
  it('embeds each resource under $defs and makes every reference local, by $id, relative path, anchor and nested $id', () => {
    const shapes = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'https://example.test/schemas/shapes.json',
      $defs: {
        name: { type: 'string', minLength: 1 },
        count: { $anchor: 'count', type: 'integer', minimum: 0 },
        nested: { $id: 'nested.json', $defs: { flag: { type: 'boolean' } } },
      },
    };
    const plugin = {
      $id: 'https://example.test/plugins/p.json',
      type: 'object',
      additionalProperties: false,
      properties: {
        label: { $ref: '../schemas/shapes.json#/$defs/name' },
        size: { $ref: 'https://example.test/schemas/shapes.json#count' },
        on: { $ref: 'https://example.test/schemas/nested.json#/$defs/flag' },
        // Properties may be called like keywords; their schemas are still schemas.
        default: { $ref: '#/$defs/local' },
        $ref: { $ref: '#/$defs/local' },
      },
      $defs: { local: { const: { $ref: 'data, not a reference' } } },
    };
    const root = {
      $id: rootUri,
      type: 'object',
      properties: {
        $schema: { type: 'string' },
        shape: { $ref: 'shapes.json#/$defs/name' },
        plugin: { $ref: '#/$defs/p' },
      },
    };
    const before = structuredClone(plugin);

    const { schema, unresolved } = bundleSchema(root, rootUri, [
      { key: 'shapes', schema: shapes, baseUri: 'https://example.test/schemas/shapes.json' },
      { key: 'p', schema: plugin, baseUri: 'file:///plugins/p/options.schema.json' },
    ]);

    expect(unresolved).toEqual([]);
    expect(plugin).toEqual(before);
    const defs = schema.$defs as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
    expect(defs.p.properties).toEqual({
      label: { $ref: '#/$defs/shapes/$defs/name' },
      size: { $ref: '#/$defs/shapes/$defs/count' },
      on: { $ref: '#/$defs/shapes/$defs/nested/$defs/flag' },
      default: { $ref: '#/$defs/p/$defs/local' },
      $ref: { $ref: '#/$defs/p/$defs/local' },
    });
    expect(defs.p.$defs.local).toEqual({ const: { $ref: 'data, not a reference' } });
    expect((schema.properties as Record<string, unknown>).shape).toEqual({ $ref: '#/$defs/shapes/$defs/name' });
    expect(JSON.stringify(schema)).not.toMatch(/"\$(id|anchor)"/);
    expect(defs.shapes.$schema).toBeUndefined();
    expect((schema.properties as Record<string, unknown>).$schema).toEqual({ type: 'string' });

    const validate = createAjv().compile(schema);
    expect(validate({ shape: 'a', plugin: { label: 'x', size: 2, on: true } })).toBe(true);
    expect(validate({ plugin: { size: -1 } })).toBe(false);
    expect(validate({ plugin: { on: 'yes' } })).toBe(false);
  });

  it('resolves a schema without $id from its file and reports (and drops) a reference it cannot resolve', () => {
    const plugin = {
      properties: {
        known: { $ref: 'common.schema.json' },
        unknown: { $ref: 'https://elsewhere.test/x.json#/$defs/y' },
      },
    };
    const common = { $id: 'file:///plugins/p/common.schema.json', type: 'string' };
    const { schema, unresolved } = bundleSchema({ $id: rootUri }, rootUri, [
      { key: 'p', schema: plugin, baseUri: 'file:///plugins/p/options.schema.json' },
      { key: 'common', schema: common, baseUri: 'file:///plugins/p/common.schema.json' },
    ]);
    expect(unresolved).toEqual([{ at: '/$defs/p/properties/unknown', ref: 'https://elsewhere.test/x.json#/$defs/y' }]);
    const properties = (schema.$defs as Record<string, { properties?: unknown }>).p.properties;
    expect(properties).toEqual({ known: { $ref: '#/$defs/common' }, unknown: {} });
  });
});
