import 'server-only';

import { OpenApiGeneratorV31, OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';

import { OPERATIONS, type Operation } from './operations';
import { apiError } from './schemas';

// The OpenAPI 3.1 document of the JSON API, generated from the operations' zod schemas (operations.ts, schemas.ts): what
// a client reads is what the server checks. Served at /api/v1/openapi.json.

const SECURITY = 'apiKey';

const errors = (operation: Operation): RouteConfig['responses'] => {
  const error = (description: string) => ({ description, content: { 'application/json': { schema: apiError } } });
  return {
    ...(operation.query || operation.body ? { 400: error('The request is not valid: `error.issues` says why.') } : {}),
    401: error('No API key, or one that is unknown or revoked.'),
    ...(operation.writes ? { 403: error('The key may not write (a read key), or its creator`s role may not change this row.') } : {}),
    ...(operation.params ? { 404: error('No such item in the key`s organisation (whether it exists elsewhere or nowhere).') } : {}),
    429: error('Over the key`s rate limit: retry after `Retry-After` seconds.'),
  };
};

function document() {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', SECURITY, {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key of the organisation (its API keys page, /o/<slug>/settings/api-keys): `Authorization: Bearer tk_...`.',
  });
  for (const operation of Object.values(OPERATIONS) as Operation[]) {
    const { status, description, schema } = operation.success;
    registry.registerPath({
      method: operation.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete',
      path: operation.path,
      operationId: operation.id,
      summary: operation.summary,
      security: [{ [SECURITY]: [] }],
      request: {
        ...(operation.params ? { params: operation.params } : {}),
        ...(operation.query ? { query: operation.query } : {}),
        ...(operation.body ? { body: { required: true, content: { 'application/json': { schema: operation.body } } } } : {}),
      },
      responses: {
        [status]: schema ? { description, content: { 'application/json': { schema } } } : { description },
        ...errors(operation),
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Tenancy Starter API',
      version: '1.0.0',
      description: "Projects and tasks of one organisation, the API key's. Lists are paged by cursor (`nextCursor`).",
    },
  });
}

let cached: ReturnType<typeof document> | undefined;

export function openApiDocument(): ReturnType<typeof document> {
  cached ??= document();
  return cached;
}
