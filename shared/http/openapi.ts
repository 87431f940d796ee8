import { isDeepStrictEqual } from 'node:util';
import * as z from '../zod.ts';
import { type ErrorCode, errorCatalogue } from './errors.ts';
import type { Route } from './route.ts';
import { errorBody } from './schemas.ts';

/**
 * Every code of the catalogue, as one enum: clients (the web client's generated types) can
 * switch over the codes, and a code added to the catalogue reaches the document by itself.
 */
const errorCode = z.meta(z.enum(Object.keys(errorCatalogue) as [ErrorCode, ...ErrorCode[]]), {
  id: 'ErrorCode',
  description: 'Stable machine-readable code from the catalogue.',
});

const errorDocument = z.describe(
  z.extend(errorBody, { error: z.extend(errorBody.shape.error, { code: errorCode }) }),
  z.globalRegistry.get(errorBody)?.description ?? '',
);

/** A schema named with zod's `.meta({ id })` is one component, referenced wherever it is used. */
const COMPONENT_REF = '#/components/schemas/';

/**
 * OpenAPI 3.1 uses JSON Schema 2020-12, which zod emits directly. Requests keep
 * `additionalProperties: false` (unknown fields are refused); responses drop it, because the
 * contract lets the service add fields and clients must tolerate them. Named schemas (zod puts
 * them in `$defs`) move to `components`: a `$ref` inside an OpenAPI document resolves from its
 * root, where `#/$defs` does not exist.
 */
function jsonSchema(
  schema: z.core.$ZodType,
  io: 'input' | 'output',
  components: Record<string, unknown>,
): Record<string, unknown> {
  const converted = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  const { $schema: _ignored, $defs, ...rest } = componentRefs(converted) as Record<string, unknown>;
  for (const [id, definition] of Object.entries(($defs ?? {}) as Record<string, unknown>)) {
    const shaped = io === 'output' ? openEnded(definition) : definition;
    if (id in components && !isDeepStrictEqual(components[id], shaped)) {
      throw new Error(`Schema ${id} converts differently in two places (request and response?)`);
    }
    components[id] = shaped;
  }
  return io === 'output' ? (openEnded(rest) as Record<string, unknown>) : rest;
}

function componentRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(componentRefs);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' && value.startsWith('#/$defs/')
        ? COMPONENT_REF + value.slice('#/$defs/'.length)
        : componentRefs(value),
    ]),
  );
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

function parameters(route: Route, components: Record<string, unknown>) {
  const out: Record<string, unknown>[] = [];
  for (const match of route.path.matchAll(/\{(\w+)\}/g)) {
    out.push({ name: match[1], in: 'path', required: true, schema: { type: 'string' } });
  }
  if (route.query) {
    const schema = jsonSchema(route.query, 'input', components) as {
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
  // A per-IP limit answers it, and so does the REST API's per-route throttle (infra/aws).
  if (route.ipLimit || route.throttle) codes.add('rate_limited');
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
  const schemas: Record<string, unknown> = {};
  schemas.Error = jsonSchema(errorDocument, 'output', schemas);
  for (const route of routes) {
    const operation: Record<string, unknown> = {
      operationId: route.name,
      summary: route.summary,
      security: security(route),
      parameters: parameters(route, schemas),
      responses: {
        ...Object.fromEntries(
          Object.entries(route.responses).map(([status, spec]) => [
            status,
            {
              description: spec.description,
              ...(spec.schema
                ? { content: { 'application/json': { schema: jsonSchema(spec.schema, 'output', schemas) } } }
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
        required: !z.safeParse(route.body, undefined).success,
        content: { 'application/json': { schema: jsonSchema(route.body, 'input', schemas) } },
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
      // Sorted: the document (and the client types generated from it) does not depend on the order
      // routes name their schemas in.
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : 1))),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
