import { en } from 'zod/locales';
import { clone, config, type core, globalRegistry } from 'zod/mini';

/**
 * The one zod of everything that runs in a Lambda: zod/mini, whose bundle holds only the
 * checks the schemas name (classic zod's methods reach every check and format: ~97 KiB of each
 * bundle; mini with these schemas and the English messages, ~35 KiB). Classic zod installs
 * its English messages itself; mini ships without any, so they are installed here, before any
 * schema parses: validation answers keep classic's exact wording ("Too big: expected string to
 * have <=64 characters"). Import zod only through this module: one classic `import 'zod'`
 * reachable from a handler brings all of classic back into its bundle.
 */
config(en());

// Every export of zod/mini, imported as `import * as z from '…/shared/zod.ts'`. Not a namespace
// exported as a value (`export * as z`, `export { z }`): esbuild would then bundle all of zod.
export * from 'zod/mini';

/**
 * Classic's `.meta(metadata)`: a copy of the schema carrying the metadata (its description,
 * its `id` as an OpenAPI component), the original left as it was. It replaces mini's `meta()`
 * check: a check is copied into every schema derived from this one, so an `id` would name two
 * different schemas and `z.toJSONSchema` refuses them.
 */
// @__NO_SIDE_EFFECTS__
export function meta<T extends core.$ZodType>(schema: T, metadata: core.GlobalMeta): T {
  const copy = clone(schema);
  globalRegistry.add(copy, metadata);
  return copy;
}

/** Classic's `.describe(text)`: the description the OpenAPI document shows. */
// @__NO_SIDE_EFFECTS__
export function describe<T extends core.$ZodType>(schema: T, description: string): T {
  return meta(schema, { description });
}
