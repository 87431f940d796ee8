import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/aws/stack.ts';

/**
 * The CDK app as `cdk synth` runs it: context from cdk.json, overridden by `-c key=value` (text),
 * which the CLI hands over in CDK_CONTEXT_JSON. Bundling is skipped; the stack is the same.
 */
const cdkJson = JSON.parse(readFileSync(`${repoRoot}cdk.json`, 'utf8'));

function runApp(overrides: Record<string, unknown>) {
  const outdir = mkdtempSync(join(tmpdir(), 'mfa-app-'));
  const result = spawnSync(process.execPath, [`${repoRoot}infra/aws/app.ts`], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...overrides }),
    },
  });
  const template = () => JSON.parse(readFileSync(`${outdir}/serverless-mfa-dev.template.json`, 'utf8'));
  return { status: result.status, stderr: result.stderr, template };
}

describe('CDK app', () => {
  it('lists in cdk.json every context key it reads', () => {
    const source = readFileSync(`${repoRoot}infra/aws/app.ts`, 'utf8');
    const read = [
      ...source.matchAll(/\b(?:required|optional\w*|text|list|number|flag|settings)\('(\w+)'\)/g),
    ].map((match) => match[1]);
    read.push(...['smsPerHour', 'smsPerDay', 'smsPerCountryPerHour']);
    expect(read.length).toBeGreaterThan(15);
    for (const key of read) expect(Object.keys(cdkJson.context), key).toContain(key);
  });

  it('takes -c text: api=rest, waf=true and a settings JSON object reach the template', () => {
    const run = runApp({
      api: 'rest',
      waf: 'true',
      settings: '{"CODE_TTL_SECONDS":600,"SMS_ALLOWED_COUNTRIES":["NL","BE"]}',
    });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const resources = Object.values(run.template().Resources) as { Type: string; Properties: any }[];
    expect(resources.some((r) => r.Type === 'AWS::WAFv2::WebACL')).toBe(true);
    expect(resources.some((r) => r.Type.startsWith('AWS::ApiGatewayV2::'))).toBe(false);
    const env = resources
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => r.Properties.Environment.Variables);
    for (const variables of env)
      expect(variables).toMatchObject({ CODE_TTL_SECONDS: '600', SMS_ALLOWED_COUNTRIES: 'NL,BE' });
  }, 60_000);

  it('takes eventBusName and signingKeyRotation=false as -c text', () => {
    const resources = (run: ReturnType<typeof runApp>) =>
      Object.values(run.template().Resources) as { Type: string; Properties: any }[];
    const byDefault = runApp({});
    expect(byDefault.status).toBe(0);
    expect(resources(byDefault).filter((r) => r.Type === 'AWS::Events::Rule')).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({ ScheduleExpression: 'rate(30 days)' }),
      }),
    ]);
    const run = runApp({ eventBusName: 'acme-security-events', signingKeyRotation: 'false' });
    expect(run.status).toBe(0);
    expect(resources(run).filter((r) => r.Type === 'AWS::Events::Rule')).toEqual([]);
    expect(resources(run).find((r) => r.Type === 'AWS::Events::EventBus')?.Properties.Name).toBe(
      'acme-security-events',
    );
  }, 60_000);

  it.each([
    ['an unknown setting', { settings: '{"NOPE":1}' }, /settings\.NOPE is not a setting/],
    ['a bad value', { settings: '{"CODE_MAX_ATTEMPTS":"five"}' }, /settings\.CODE_MAX_ATTEMPTS/],
    [
      'a limit set so high it switches the lockout off',
      { settings: '{"MFA_MAX_FAILURES":1000000000}' },
      /settings\.MFA_MAX_FAILURES/,
    ],
    ['a code that lives a year', { settings: '{"CODE_TTL_SECONDS":31536000}' }, /settings\.CODE_TTL_SECONDS/],
    ['a blank audience', { settings: '{"TOKEN_AUDIENCE":" "}' }, /settings\.TOKEN_AUDIENCE/],
    ['settings that are no JSON', { settings: '{CODE_TTL_SECONDS:600}' }, /"settings" must be a JSON object/],
    ['an unknown API kind', { api: 'graphql' }, /api "graphql" must be http or rest/],
    ['a flag that is no boolean', { waf: 'yes' }, /"waf" must be true or false/],
    ['a rotation flag that is no boolean', { signingKeyRotation: 'monthly' }, /"signingKeyRotation" must be/],
    ['a bus name with a slash', { eventBusName: 'a/b' }, /eventBusName "a\/b"/],
  ])('fails synth on %s, naming it', (_, overrides, message) => {
    const run = runApp(overrides);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(message);
  });
});
