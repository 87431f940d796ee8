import { describe, expect, it } from 'vitest';
import { sameMailbox } from '../../shared/db/users.ts';

describe('sameMailbox: addresses that reach one inbox', () => {
  it.each([
    ['Ada@Example.com', 'ada@example.com', true],
    ['ada+mfa@example.com', 'ada@example.com', true],
    ['ada+a+b@example.com', 'ADA+c@example.com', true],
    ['a.da.love@gmail.com', 'adalove+x@googlemail.com', true],
    ['a.da@example.com', 'ada@example.com', false], // only Gmail ignores dots
    ['ada@example.com', 'ada@example.org', false],
    ['ada@example.com', 'bob@example.com', false],
  ])('%s and %s: %s', (a, b, same) => {
    expect(sameMailbox(a, b)).toBe(same);
  });
});
