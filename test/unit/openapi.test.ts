import { describe, expect, it } from 'vitest';
import { routeList } from '../../functions/routes.ts';
import { EVENT_TYPES } from '../../shared/db/events.ts';
import { errorCatalogue } from '../../shared/http/errors.ts';
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

  it('covers every operation of the API.md contract implemented so far', () => {
    // Written out from API.md, not derived from the route table: a route dropped or renamed fails here.
    const contract = [
      'POST /v1/users',
      'POST /v1/sessions',
      'POST /v1/sessions/refresh',
      'DELETE /v1/sessions/current',
      'GET /.well-known/jwks.json',
      'GET /v1/health',
      'GET /v1/openapi.json',
      'POST /v1/mfa/challenges',
      'POST /v1/mfa/challenges/{challengeId}/resend',
      'POST /v1/mfa/verify',
      'POST /v1/mfa/recover',
      'GET /v1/mfa/factors',
      'POST /v1/mfa/factors',
      'POST /v1/mfa/factors/{factorId}/activate',
      'POST /v1/mfa/factors/{factorId}/resend',
      'POST /v1/mfa/factors/{factorId}/codes',
      'DELETE /v1/mfa/factors/{factorId}',
      'POST /v1/mfa/recovery-codes',
      'GET /v1/mfa/devices',
      'DELETE /v1/mfa/devices/{deviceId}',
      'GET /v1/me/events',
      // API.md "Additions": what the seeds' users meet.
      'PATCH /v1/mfa/factors/{factorId}',
      'GET /v1/config',
      'POST /v1/orgs/{orgId}/mfa-reset',
    ];
    const { paths } = openApiDocument(routeList) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented).toEqual(expect.arrayContaining(contract));
  });

  it('documents the three login answers and Retry-After on 429s', () => {
    const { paths } = openApiDocument(routeList) as { paths: Record<string, Record<string, any>> };
    const login = paths['/v1/sessions']?.post;
    const schema = login.responses['200'].content['application/json'].schema;
    const statuses = (schema.oneOf ?? schema.anyOf).map((option: any) => option.properties.status.const);
    expect(statuses).toEqual(expect.arrayContaining(['authenticated', 'mfa_required']));
    expect(login.responses['429'].headers['Retry-After']).toMatchObject({ schema: { type: 'integer' } });
  });

  it('documents request bodies as closed (unknown fields refused) and responses as open', () => {
    const document = openApiDocument(routeList);
    const signUp = document.paths['/v1/users']?.post as Record<string, any>;
    expect(signUp.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['email', 'password'],
      additionalProperties: false,
      properties: { password: { minLength: 1, maxLength: 1024 } },
    });
    expect(signUp.responses['202'].content['application/json'].schema).not.toHaveProperty(
      'additionalProperties',
    );
    // No 409: whether an address has an account is never an answer (API.md "Additions").
    expect(Object.keys(signUp.responses).sort()).toEqual(['202', '400', '413', '429', '500', '502']);
  });

  it('documents GET /v1/config (public), clockSkewSeconds on errors, the bulk reset and the addresses in the org audit log', () => {
    const document = openApiDocument(routeList) as {
      paths: Record<string, Record<string, any>>;
      components: any;
    };
    const settings = document.paths['/v1/config']?.get;
    expect(settings.security).toEqual([]);
    expect(
      Object.keys(settings.responses['200'].content['application/json'].schema.properties).sort(),
    ).toEqual(
      [
        'codeLength',
        'codeTtlSeconds',
        'factorTypes',
        'maxActiveFactors',
        'passwordMaxLength',
        'passwordMinLength',
        'recoveryCodeCount',
        'rememberDeviceMaxDays',
        'smsCountries',
      ].sort(),
    );
    const error = document.components.schemas.Error.properties.error.properties;
    expect(error.clockSkewSeconds).toMatchObject({ type: 'integer' });
    expect(error.clockSkewSeconds.description).toContain('positive when it is ahead');

    const bulk = document.paths['/v1/orgs/{orgId}/mfa-reset']?.post;
    expect(bulk.requestBody.content['application/json'].schema).toMatchObject({
      required: ['confirm'],
      additionalProperties: false,
    });
    expect(bulk.responses['200'].content['application/json'].schema.properties.reset).toMatchObject({
      type: 'integer',
    });
    expect(Object.keys(bulk.responses).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '410',
      '413',
      '429',
      '500',
    ]);

    const events = document.paths['/v1/orgs/{orgId}/events']?.get;
    const item = events.responses['200'].content['application/json'].schema.properties.events.items;
    expect(item.properties.actorEmail).toMatchObject({ type: ['string', 'null'] });
    expect(item.properties.userEmail).toMatchObject({ type: ['string', 'null'] });
    // The caller's own log has no addresses to add: it is all theirs.
    const mine = document.paths['/v1/me/events']?.get;
    expect(
      mine.responses['200'].content['application/json'].schema.properties.events.items.properties,
    ).not.toHaveProperty('actorEmail');
  });

  it('makes error codes and event types enums: one component each, referenced where they are used', () => {
    const document = openApiDocument(routeList) as {
      paths: Record<string, Record<string, any>>;
      components: any;
    };
    const { schemas } = document.components;
    expect(schemas.ErrorCode).toMatchObject({ type: 'string', enum: Object.keys(errorCatalogue) });
    expect(schemas.Error.properties.error.properties.code).toEqual({
      $ref: '#/components/schemas/ErrorCode',
    });
    expect(schemas.EventType).toMatchObject({ type: 'string', enum: [...EVENT_TYPES] });
    const events = document.paths['/v1/orgs/{orgId}/events']?.get;
    expect(
      events.responses['200'].content['application/json'].schema.properties.events.items.properties.type,
    ).toEqual({ $ref: '#/components/schemas/EventType' });
    // Every reference resolves: named schemas live in components, never in a schema's own $defs.
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"([^"]+)"/g)].map((match) => match[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(schemas).toHaveProperty([ref?.slice('#/components/schemas/'.length) ?? '']);
    }
    // Each error answer still names the codes it can carry.
    expect(document.paths['/v1/users']?.post.responses['400'].description).toBe(
      'Error: invalid_json, invalid_request, password_too_weak',
    );
  });

  it('marks bearer routes as secured and public ones as open', () => {
    const { paths } = openApiDocument(routeList) as {
      paths: Record<string, Record<string, { security: unknown }>>;
    };
    expect(paths['/v1/sessions/current']?.delete?.security).toEqual([{ bearer: [] }]);
    expect(paths['/v1/sessions']?.post?.security).toEqual([]);
  });
});
