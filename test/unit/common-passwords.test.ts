import { dictionary } from '@zxcvbn-ts/language-common';
import { describe, expect, it } from 'vitest';
import { commonPasswords } from '../../shared/auth/common-passwords.ts';

/**
 * The compressed list the password policy ships (shared/auth/common-passwords.gen.ts) is the
 * installed zxcvbn-ts list, word for word and in rank order: zxcvbn scores a dictionary word by
 * its rank, so a stale or reordered copy would change verdicts. Fails after a bump of
 * @zxcvbn-ts/language-common until `npm run generate:passwords` is run.
 */
describe('common passwords', () => {
  it('are the installed package list, in its order', () => {
    expect(commonPasswords()).toEqual(dictionary['passwords-common']);
  });
});
