import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  coreAjv,
  coreKeywords,
  coreSchemaTexts,
  coreValidator,
  coreValidatorRefs,
  coreValidatorsFile,
  describeAjvErrors,
  schemaBase,
  validateCollectingSecrets,
} from './schemas.js';
import { keywordFunctions, loadGenerated } from './standalone.js';

/** Data each core schema rejects in several ways (wrong types, unknown keys, a missing key, a bad discriminator). */
const invalid: unknown[] = [
  {},
  { reporters: [{ plugin: 7, options: {} }], sources: [{ type: 'http', listen: 5, token: 'tk-1' }], bogus: true },
  { reporters: [], sources: [{ type: 'nope' }, { type: 'buildbot', url: 'x', password: 'pw-2', extra: 1 }] },
  { apiVersion: 1, hooks: ['buildFinished', 'nope'], optionsSchema: 3 },
  { mode: ['failing', 'nope'], builders: 'x', tags: [1] },
  { event: 'buildFinished', payload: { buildid: 'x' } },
  { buildid: 1, number: 'two', complete: 'yes' },
  'a string',
];

const outcome = (validate: ReturnType<typeof coreValidator>, data: unknown) => {
  const { valid, secrets } = validateCollectingSecrets(validate, structuredClone(data));
  return { valid, secrets: [...secrets], errors: describeAjvErrors(validate.errors) };
};

describe("core's generated validators (npm run build)", () => {
  it('exist after a build and are the ones coreValidator returns', () => {
    expect(existsSync(coreValidatorsFile)).toBe(true);
    for (const ref of coreValidatorRefs) expect(coreValidator(ref)).not.toBe(coreAjv().getSchema(schemaBase + ref));
  });

  it.each(coreValidatorRefs)('%s: same verdicts, errors and secrets as the compiled schema', (ref) => {
    const compiled = coreAjv().getSchema(schemaBase + ref)!;
    for (const data of invalid) expect(outcome(coreValidator(ref), data)).toEqual(outcome(compiled, data));
  });

  it('collect the values under x-secret', () => {
    expect(outcome(coreValidator('config.schema.json'), invalid[1]).secrets).toEqual(['tk-1']);
  });

  it('are not used when the schemas changed since they were generated, nor when there are none', () => {
    const keywords = keywordFunctions(coreKeywords);
    expect(loadGenerated(coreValidatorsFile, coreSchemaTexts(), keywords)).toBeDefined();
    const edited = coreSchemaTexts().map((text, i) => (i === 0 ? `${text} ` : text));
    expect(loadGenerated(coreValidatorsFile, edited, keywords)).toBeUndefined();
    expect(loadGenerated(`${coreValidatorsFile}.missing`, coreSchemaTexts(), keywords)).toBeUndefined();
  });
});
