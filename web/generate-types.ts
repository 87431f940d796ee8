import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import openapiTS, { type OpenAPI3 } from 'openapi-typescript';
import { routeList } from '../functions/routes.ts';
import { SCHEMA_FILE, schemaDocument } from '../shared/events/write-schema.ts';
import { openApiDocument } from '../shared/http/openapi.ts';

/**
 * `npm run generate:types`: the web client's API types, generated from the OpenAPI document the
 * service serves (built here in-process from the route table, as GET /v1/openapi.json builds it),
 * so the client cannot drift from the contract. `--check` writes nothing and fails when a
 * committed file differs from what would be generated (test/unit/generated-types.test.ts fails
 * the same way, so CI does).
 * The JSON Schema of the security events' `detail` (docs/security-events.schema.json, from
 * shared/events/schema.ts) is generated and checked with them.
 */
const root = join(import.meta.dirname, '..');
export const TYPES_FILE = join(import.meta.dirname, 'src', 'api-types.gen.ts');

const HEADER = `/**
 * Generated from the OpenAPI document (functions/routes.ts, shared/http/openapi.ts) by
 * \`npm run generate:types\` (openapi-typescript). Do not edit: change the schemas and run it again.
 */

`;

/** Formatted with the repository's biome settings, so `biome ci` accepts the file as written. */
function format(source: string, file: string): string {
  const biome = spawnSync(
    join(root, 'node_modules', '.bin', 'biome'),
    ['format', `--stdin-file-path=${relative(root, file)}`],
    { cwd: root, input: source, encoding: 'utf8' },
  );
  if (biome.status !== 0) throw new Error(`biome format failed: ${biome.stderr || biome.error}`);
  return biome.stdout;
}

/** The generated files, by absolute path, with the content they should have. */
export async function generatedFiles(): Promise<Map<string, string>> {
  // A deep copy: openapi-typescript annotates the object it is given.
  const document = structuredClone(openApiDocument(routeList)) as unknown as OpenAPI3;
  const types = await openapiTS(document, { commentHeader: HEADER, silent: true });
  return new Map([
    [TYPES_FILE, format(types, TYPES_FILE)],
    [SCHEMA_FILE, schemaDocument()],
  ]);
}

async function current(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch(() => undefined);
}

/** The files whose content on disk is not what would be generated now. */
export async function staleFiles(files: Map<string, string>): Promise<string[]> {
  const stale: string[] = [];
  for (const [file, content] of files) {
    if ((await current(file)) !== content) stale.push(relative(root, file));
  }
  return stale;
}

if (import.meta.main) {
  const files = await generatedFiles();
  if (process.argv.includes('--check')) {
    const stale = await staleFiles(files);
    if (stale.length > 0) {
      console.error(`Stale generated file(s): ${stale.join(', ')}. Run npm run generate:types.`);
      process.exit(1);
    }
    console.log('Generated files are up to date.');
  } else {
    for (const [file, content] of files) {
      const changed = (await current(file)) !== content;
      if (changed) await writeFile(file, content);
      console.log(`${changed ? 'wrote' : 'unchanged:'} ${relative(root, file)}`);
    }
  }
}
