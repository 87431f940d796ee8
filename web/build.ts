import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles the demo client (web/src, TypeScript) into web/dist/app.js: one ES module, minified,
 * with an external source map. index.html and styles.css are served from web/ as they are.
 * `npm start` runs this first (prestart); the browser tests run it in their global setup.
 */
const webDir = import.meta.dirname;

export async function buildWeb(): Promise<{ outfile: string }> {
  const outfile = join(webDir, 'dist', 'app.js');
  await build({
    entryPoints: [join(webDir, 'src', 'main.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome111', 'firefox113', 'safari16.4'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  });
  return { outfile };
}

if (import.meta.main) {
  const begun = Date.now();
  const { outfile } = await buildWeb();
  console.log(`web client built in ${Date.now() - begun} ms: ${outfile}`);
}
