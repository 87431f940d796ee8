import { describe, expect, it } from 'vitest';
import { routeList } from '../../functions/routes.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { call } from '../support/api.ts';

describe('GET /v1/openapi.json', () => {
  it('is the OpenAPI 3.1 document of every route in the route table, served over HTTP', async () => {
    const answer = await call('GET', '/v1/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(openApiDocument(routeList));
    expect(answer.body.openapi).toBe('3.1.0');
    const operations = Object.entries(answer.body.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(routeList.map((route) => `${route.method} ${route.path}`).sort());
  });

  it('documents request bodies as closed (unknown fields refused) and responses as open', () => {
    const document = openApiDocument(routeList);
    const signUp = document.paths['/v1/users']?.post as Record<string, any>;
    expect(signUp.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['email', 'password'],
      additionalProperties: false,
      properties: { password: { minLength: 12, maxLength: 128 } },
    });
    expect(signUp.responses['201'].content['application/json'].schema).not.toHaveProperty(
      'additionalProperties',
    );
    expect(Object.keys(signUp.responses).sort()).toEqual(['201', '400', '409', '413', '500']);
  });

  it('marks bearer routes as secured and public ones as open', () => {
    const { paths } = openApiDocument(routeList) as {
      paths: Record<string, Record<string, { security: unknown }>>;
    };
    expect(paths['/v1/sessions/current']?.delete?.security).toEqual([{ bearer: [] }]);
    expect(paths['/v1/sessions']?.post?.security).toEqual([]);
  });
});
