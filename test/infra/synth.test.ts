import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Capture, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/routes.ts';
import { apiEvent } from '../support/api.ts';
import { build } from './support.ts';

/**
 * Bundling for real, offline, with the local esbuild (never Docker): one function is enough to
 * prove the configuration; `cdk synth` bundles the others the same way.
 */
describe('bundling', () => {
  let asset: string;
  beforeAll(() => {
    const { app, stack } = build({ routes: [{ ...routes.health, name: 'health' }] }, { bundle: true });
    const directory = app.synth().directory;
    const key = new Capture();
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Description: 'GET /v1/health',
      Code: { S3Key: key },
    });
    asset = `${directory}/asset.${key.asString().replace(/\.zip$/, '')}`;
  });

  it('emits an ESM index.mjs with the require shim and an external source map without sources', () => {
    const code = readFileSync(`${asset}/index.mjs`, 'utf8');
    expect(code.startsWith('import { createRequire as topLevelCreateRequire }')).toBe(true);
    expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
    expect(existsSync(`${asset}/index.mjs.map`)).toBe(true);
    const map = JSON.parse(readFileSync(`${asset}/index.mjs.map`, 'utf8'));
    expect(map.sources).toEqual(
      expect.arrayContaining([expect.stringMatching(/functions\/ops\/health\.ts$/)]),
    );
    expect(map.sourcesContent).toBeUndefined();
  });

  it('answers an API Gateway event when loaded by plain Node, as Lambda loads it', () => {
    const script = `const { handler } = await import(${JSON.stringify(`${asset}/index.mjs`)});
      process.stdout.write(JSON.stringify(await handler(${JSON.stringify(apiEvent('GET', '/v1/health'))}, {})));`;
    // The function's own log and EMF metric lines come first on stdout, as in Lambda; the answer is last.
    const stdout = execFileSync(
      process.execPath,
      ['--enable-source-maps', '--input-type=module', '-e', script],
      {
        env: process.env,
        encoding: 'utf8',
      },
    );
    const result = JSON.parse(stdout.trimEnd().split('\n').at(-1) ?? '');
    expect(result).toMatchObject({ statusCode: 200 });
    expect(JSON.parse(result.body)).toEqual({ status: 'ok' });
  });
});
