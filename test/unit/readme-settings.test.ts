import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/aws/stack.ts';
import { settingNames } from '../../shared/config.ts';

const readme = readFileSync(`${repoRoot}README.md`, 'utf8');
const section = (title: string) => {
  const start = readme.indexOf(`\n## ${title}\n`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end);
};

describe('README documents every setting', () => {
  it.each(settingNames)('%s', (name) => {
    expect(readme).toContain(`\`${name}\``);
  });

  it('every setting named in the security limits exists (no stale names)', () => {
    const named = [...section('Security limits').matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1]);
    expect(named.length).toBeGreaterThan(30);
    for (const name of named) expect(settingNames).toContain(name);
  });
});
