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
