// The one list of factor types: the TypeScript type, every zod enum (so the OpenAPI document and
// the security events' JSON Schema) and the clients' lists derive from it. No imports, on
// purpose: the route table, the events schema (bundled into the publishing Lambda) and the web
// client import this, and it must pull nothing else into their bundles.

/** The factor types the service offers, in the order clients list them (and enums print them). */
export const FACTOR_TYPES = ['totp', 'sms', 'email'] as const;

export type FactorType = (typeof FACTOR_TYPES)[number];
