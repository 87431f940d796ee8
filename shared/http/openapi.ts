import * as z from 'zod';
import { errorCatalogue } from './errors.ts';
import type { Route } from './route.ts';
import { errorBody } from './schemas.ts';

/**
 * OpenAPI 3.1 uses JSON Schema 2020-12, which zod emits directly. Requests keep
 * `additionalProperties: false` (unknown fields are refused); responses drop it, because the
 * contract lets the service add fields and clients must tolerate them.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  });
  return io === 'output' ? (openEnded(rest) as Record<string, unknown>) : rest;
}

function openEnded(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openEnded);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'additionalProperties' && value === false))
      .map(([key, value]) => [key, openEnded(value)]),
  );
}

function parameters(route: Route) {
  const out: Record<string, unknown>[] = [];
  for (const match of route.path.matchAll(/\{(\w+)\}/g)) {
    out.push({ name: match[1], in: 'path', required: true, schema: { type: 'string' } });
  }
  if (route.query) {
    const schema = jsonSchema(route.query, 'input') as {
      properties?: Record<string, unknown>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      out.push({ name, in: 'query', required: schema.required?.includes(name) ?? false, schema: property });
    }
  }
  return out;
}

function security(route: Route) {
  if (route.auth === 'bearer' || route.auth === 'enrollment') return [{ bearer: [] }];
  return [];
}

function errorResponses(route: Route): Record<string, unknown> {
  const codes = new Set<string>(['internal_error', ...(route.errors ?? [])]);
  if (route.body) codes.add('invalid_json').add('invalid_request').add('payload_too_large');
  if (route.auth === 'bearer' || route.auth === 'enrollment') codes.add('unauthorized').add('forbidden');
  if (route.ipLimit) codes.add('rate_limited');
  const byStatus = new Map<number, string[]>();
  for (const code of codes) {
    const entry = errorCatalogue[code as keyof typeof errorCatalogue];
    if (!entry) throw new Error(`Route ${route.method} ${route.path} names unknown error code ${code}`);
    byStatus.set(entry.status, [...(byStatus.get(entry.status) ?? []), code]);
  }
  // The SMS circuit breaker: the same code as a failed delivery, as 503 with Retry-After.
  if (codes.has('delivery_failed') && route.permissions.includes('sns:publish')) {
    byStatus.set(503, ['delivery_failed']);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      String(status),
      {
        description: `Error: ${list.sort().join(', ')}`,
        ...(status === 429 || status === 503
          ? {
              headers: {
                'Retry-After': {
                  description: 'Seconds to wait before trying again.',
                  schema: { type: 'integer' },
                },
              },
            }
          : {}),
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    ]),
  );
}

export function openApiDocument(routes: readonly (Route & { name: string })[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation: Record<string, unknown> = {
      operationId: route.name,
      summary: route.summary,
      security: security(route),
      parameters: parameters(route),
      responses: {
        ...Object.fromEntries(
          Object.entries(route.responses).map(([status, spec]) => [
            status,
            {
              description: spec.description,
              ...(spec.schema
                ? { content: { 'application/json': { schema: jsonSchema(spec.schema, 'output') } } }
                : {}),
            },
          ]),
        ),
        ...errorResponses(route),
      },
    };
    if (route.body) {
      operation.requestBody = {
        // A body the schema accepts as absent (e.g. DELETE with an optional verification).
        required: !route.body.safeParse(undefined).success,
        content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
      };
    }
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Serverless MFA',
      version: '1',
      description:
        'Passwords, sessions and multi-factor authentication. Errors: `{ error: { code, message } }`.',
    },
    paths,
    components: {
      schemas: { Error: jsonSchema(errorBody, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
