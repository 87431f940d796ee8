import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { routeList } from '../../functions/routes.ts';
import type { Handler, HandlerLoader } from './server.ts';

/**
 * What ships is what is tested: the handlers as `cdk synth` bundled them (one NodejsFunction
 * per route, ESM, in `cdk.out/asset.<hash>/index.mjs`) instead of the source modules. A route's
 * function is the one whose construct path is `<stack>/<route name>/Resource`, and its code
 * folder is the `aws:asset:path` the synthesizer wrote beside it, so no logical id or asset
 * hash is ever guessed.
 */
interface CloudAssembly {
  artifacts?: Record<string, { type?: string; properties?: { templateFile?: string } }>;
}

interface Template {
  Resources?: Record<
    string,
    { Type?: string; Metadata?: Record<string, unknown>; Properties?: { Handler?: string } }
  >;
}

/** Each route's bundle file, by route name; throws naming the routes `cdkOut` has no bundle for. */
export function findBundles(cdkOut: string): Map<string, string> {
  const dir = resolve(cdkOut);
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new Error(
      `No cloud assembly in ${dir}: run \`npx cdk synth -q\` first (--bundles serves its bundles).`,
    );
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as CloudAssembly;
  const found = new Map<string, string>();
  for (const artifact of Object.values(manifest.artifacts ?? {})) {
    const templateFile = artifact.properties?.templateFile;
    if (artifact.type !== 'aws:cloudformation:stack' || !templateFile) continue;
    const template = JSON.parse(readFileSync(join(dir, templateFile), 'utf8')) as Template;
    for (const resource of Object.values(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const path = resource.Metadata?.['aws:cdk:path'];
      const asset = resource.Metadata?.['aws:asset:path'];
      if (typeof path !== 'string' || typeof asset !== 'string') continue;
      const name = /\/([^/]+)\/Resource$/.exec(path)?.[1];
      const [file = 'index', exported = 'handler'] = (resource.Properties?.Handler ?? 'index.handler').split(
        '.',
      );
      if (name && exported === 'handler') found.set(name, join(dir, asset, `${file}.mjs`));
    }
  }
  const missing = routeList.filter(
    (route) => !found.has(route.name) || !existsSync(found.get(route.name) as string),
  );
  if (missing.length) {
    throw new Error(
      `${dir} has no bundle for ${missing.map((r) => r.name).join(', ')}: run \`npx cdk synth -q\` again.`,
    );
  }
  return found;
}

/** Loads each route's bundle on first use, once. */
export function bundledHandlers(cdkOut: string): HandlerLoader {
  const files = findBundles(cdkOut);
  const loaded = new Map<string, Promise<Handler>>();
  return (route) => {
    let handler = loaded.get(route.name);
    if (!handler) {
      const file = files.get(route.name) as string;
      handler = import(pathToFileURL(file).href).then((module: { handler: Handler }) => module.handler);
      loaded.set(route.name, handler);
    }
    return handler;
  };
}
