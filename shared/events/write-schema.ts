import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { eventDetailJsonSchema } from './schema.ts';

/**
 * `node shared/events/write-schema.ts`: writes the JSON Schema of the security events' `detail`
 * to docs/security-events.schema.json, from shared/events/schema.ts (the one definition).
 * test/unit/event-schema.test.ts fails when the file is behind the code.
 */
export const SCHEMA_FILE = resolve(import.meta.dirname, '../../docs/security-events.schema.json');

export function schemaDocument(): string {
  return `${JSON.stringify(eventDetailJsonSchema(), null, 2)}\n`;
}

export function writeSchema(file = SCHEMA_FILE): boolean {
  const text = schemaDocument();
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) return false;
  writeFileSync(file, text);
  return true;
}

if (import.meta.main) {
  console.log(`${writeSchema() ? 'wrote' : 'unchanged:'} ${SCHEMA_FILE}`);
}
