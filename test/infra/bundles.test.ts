import { readdirSync, readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeList, routes } from '../../functions/routes.ts';
import { workerList } from '../../functions/workers.ts';
import { repoRoot } from '../../infra/aws/stack.ts';
import type { Permission } from '../../shared/http/route.ts';
import { build } from './support.ts';

/**
 * Lean bundles (issue 14): what a function's bundle holds follows from its permissions, asserted
 * on the bundled text by strings that only the left-out code contains. Properties, not sizes
 * (bench/bundles.ts measures those).
 */

/** The handlers that parse a phone number, and so need libphonenumber's full metadata. */
const parsesPhoneNumbers = new Set(['createFactor']);

/** Strings only each left-out part contains: its Smithy schema namespace, or its log messages. */
const markers = {
  kms: 'com.amazonaws.kms',
  ses: 'com.amazonaws.ses',
  sns: 'com.amazonaws.sns',
  // The default chain's providers and the STS/SSO clients they carry, none of which Lambda reaches.
  credentialChain: [
    'defaultProvider::fromSSO',
    'credential-provider-ini',
    'credential-provider-process',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    '/latest/meta-data/iam/security-credentials',
    'AWSSecurityTokenServiceV20110615',
  ],
  environmentCredentials: 'credential-provider-env - fromEnv',
  phoneMetadata: 'country_calling_codes',
  // shared/zod.ts: zod/mini with English messages only. Classic zod's schema classes, or another
  // locale's messages (pulled in by a namespace import of zod), bring ~100-400 KiB back.
  miniZod: '"ZodMiniObject"',
  fullZod: ['"ZodObject"', 'Ungültige Eingabe'],
};

type Named = { name: string; permissions: readonly Permission[] };
const kindOf = (fn: Named) =>
  [
    fn.permissions.some((p) => p.startsWith('kms:')),
    fn.permissions.includes('ses:send'),
    fn.permissions.includes('sns:publish'),
    parsesPhoneNumbers.has(fn.name),
  ].join();

// One route of each combination of permissions that decide a bundle (and every phone parser):
// bundling all of them is `npm run test:bundles`' job.
const sample = routeList.filter(
  (route, index) =>
    parsesPhoneNumbers.has(route.name) ||
    routeList.findIndex((other) => kindOf(other) === kindOf(route)) === index,
);

describe('bundles', () => {
  const bundles = new Map<string, string>();
  beforeAll(() => {
    const { app, stack } = build({ routes: sample }, { bundle: true });
    const directory = app.synth().directory;
    const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
    for (const fn of [...sample, ...workerList]) {
      // The descriptions the service gives them: the route key, or the worker's name and summary.
      const matching = Object.values(functions).filter((resource) => {
        const description = String(resource.Properties.Description);
        return 'method' in fn
          ? description === `${fn.method} ${fn.path}`
          : description.startsWith(`${fn.name}: `);
      });
      expect(matching, fn.name).toHaveLength(1);
      const key = String(matching[0]?.Properties.Code.S3Key).replace(/\.zip$/, '');
      bundles.set(fn.name, readFileSync(`${directory}/asset.${key}/index.mjs`, 'utf8'));
    }
  }, 120_000);

  const functions: Named[] = [...sample, ...workerList];
  // Which markers a bundle holds: a failure lists them, not the whole bundle.
  const found = (name: string, candidates: readonly string[]) =>
    candidates.filter((marker) => bundles.get(name)?.includes(marker));

  it('samples routes with and without each client', () => {
    for (const marker of [markers.kms, markers.ses, markers.sns]) {
      const holders = functions.filter((fn) => found(fn.name, [marker]).length > 0);
      expect(holders.length, marker).toBeGreaterThan(0);
      expect(holders.length, marker).toBeLessThan(functions.length);
    }
  });

  it.each(functions)('$name uses environment credentials and none of the default chain', (fn) => {
    expect(found(fn.name, [markers.environmentCredentials])).toEqual([markers.environmentCredentials]);
    expect(found(fn.name, markers.credentialChain)).toEqual([]);
  });

  it.each(functions)('$name holds the SDK clients its permissions name, and no others', (fn) => {
    const unnamed = [
      ...(fn.permissions.some((p) => p.startsWith('kms:')) ? [] : [markers.kms]),
      ...(fn.permissions.includes('ses:send') ? [] : [markers.ses]),
      ...(fn.permissions.includes('sns:publish') ? [] : [markers.sns]),
    ];
    expect(found(fn.name, unnamed)).toEqual([]);
  });

  it.each(sample)('$name validates with zod/mini and English messages, not all of zod', (fn) => {
    expect(found(fn.name, [markers.miniZod])).toEqual([markers.miniZod]);
    expect(found(fn.name, markers.fullZod)).toEqual([]);
  });

  it.each(functions)('$name holds phone number metadata only if it parses phone numbers', (fn) => {
    expect(found(fn.name, [markers.phoneMetadata]).length > 0).toBe(parsesPhoneNumbers.has(fn.name));
  });
});

describe('route modules', () => {
  it('declare each entry of the table once, in the module of its handler folder', async () => {
    const modules = readdirSync(`${repoRoot}functions/routes`).filter((file) => file !== 'common.ts');
    const declared = new Map<string, unknown>();
    for (const file of modules) {
      const entries: Record<string, { module: string }> = await import(`${repoRoot}functions/routes/${file}`);
      for (const [name, entry] of Object.entries(entries)) {
        expect(`${entry.module.split('/')[0]}.ts`, name).toBe(file);
        declared.set(name, entry);
      }
    }
    expect(new Map(routeList.map(({ name }) => [name, routes[name as keyof typeof routes]]))).toEqual(
      declared,
    );
  });
});
