/**
 * One operation of a published API description (GitHub's @octokit/openapi, Gitea's swagger), as a
 * check of recorded requests: method, path (its `{params}` as one segment each) and the JSON body
 * against the operation's schema. Every request-validating reporter test uses it.
 */
import { Ajv } from 'ajv';
import type { RecordedRequest } from '@bbreporters/core/testing';

export interface OperationCheck {
  /** Problems of `request` against the operation ([] when it conforms); `prefix`: a base path before the API's paths (GitHub Enterprise's /api/v3). */
  problems(request: RecordedRequest, prefix?: string): string[];
}

export function operationCheck(method: string, path: string, bodySchema: object): OperationCheck {
  const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
  const validate = new Ajv({ strict: false, allErrors: true }).compile(bodySchema);
  return {
    problems(request, prefix = '') {
      const problems: string[] = [];
      if (request.method !== method.toUpperCase()) problems.push(`method ${request.method}`);
      const requestPath = request.url.split('?')[0].slice(prefix.length);
      if (!pattern.test(requestPath)) problems.push(`path ${requestPath}`);
      if (request.headers['content-type'] !== 'application/json')
        problems.push(`content-type ${request.headers['content-type']}`);
      if (!validate(JSON.parse(request.body)))
        problems.push(...(validate.errors ?? []).map((e) => `body${e.instancePath} ${e.message}`));
      return problems;
    },
  };
}

interface OpenApiDescription {
  paths: Record<
    string,
    Record<string, { operationId?: string; requestBody: { content: Record<string, { schema: object }> } }>
  >;
}

/** The operation `operationId` of GitHub's dereferenced OpenAPI description (@octokit/openapi). */
export function githubOperation(description: OpenApiDescription, operationId: string): OperationCheck {
  for (const [path, ops] of Object.entries(description.paths))
    for (const [method, op] of Object.entries(ops))
      if (op.operationId === operationId)
        return operationCheck(method, path, op.requestBody.content['application/json'].schema);
  throw new Error(`GitHub's OpenAPI description has no operation ${operationId}`);
}

/**
 * The operation `name` (e.g. RepoCreateStatus) of Gitea's API as gitea-js publishes it: types
 * generated from Gitea's swagger description, one `@request METHOD:/path` per operation and one
 * interface per body. The body schema is the interface's fields (`name?: type;`), nothing else.
 */
export function giteaOperation(declarations: string, name: string): OperationCheck {
  const doc = new RegExp(`@name ${name}\\n[^]*?@request (\\w+):(\\S+)[^]*?\\*/\\s*\\w+: \\([^)]*?body: (\\w+)`).exec(
    declarations,
  );
  if (!doc) throw new Error(`gitea-js declares no operation ${name} with a body`);
  const [, method, path, bodyType] = doc;
  const block = new RegExp(`\\binterface ${bodyType} \\{([^}]*)\\}`).exec(declarations);
  if (!block) throw new Error(`gitea-js declares no interface ${bodyType}`);
  const properties: Record<string, object> = {};
  const required: string[] = [];
  for (const [, field, optional, type] of block[1].matchAll(/^\s*(\w+)(\??): ([\w[\]]+);/gm)) {
    properties[field] = { type: jsonType(declarations, type) };
    if (!optional) required.push(field);
  }
  // Gitea's API lives under /api/v1 (the swagger's basePath).
  return operationCheck(method, `/api/v1${path}`, {
    type: 'object',
    properties,
    required,
    additionalProperties: false,
  });
}

/** A TypeScript type of gitea-js's declarations as a JSON Schema type (aliases such as `CommitStatusState = string` followed). */
function jsonType(declarations: string, type: string): string {
  if (type === 'string' || type === 'boolean') return type;
  if (type === 'number') return 'number';
  const alias = new RegExp(`\\btype ${type} = (\\w+);`).exec(declarations);
  if (alias) return jsonType(declarations, alias[1]);
  throw new Error(`no JSON type for ${type} in gitea-js's declarations`);
}
