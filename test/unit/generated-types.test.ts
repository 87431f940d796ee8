import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../../web/generate-types.ts';

/**
 * The web client's API types are generated from the OpenAPI document; a schema changed without
 * regenerating them fails here (and so in CI), not in a browser.
 */
describe('generated client types', () => {
  it('web/src/api-types.gen.ts is what npm run generate:types writes from the OpenAPI document', async () => {
    for (const [file, expected] of await generatedFiles()) {
      const committed = await readFile(file, 'utf8').catch(() => '');
      expect(committed, `${relative(process.cwd(), file)} is stale: run npm run generate:types`).toBe(
        expected,
      );
    }
  });
});
