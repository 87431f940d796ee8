import { brotliDecompressSync } from 'node:zlib';

// By name, so the bundler keeps the keyboard graphs and drops the package's own 380 KiB copy of
// the list (a dynamic import of the package would keep it all).
export { adjacencyGraphs } from '@zxcvbn-ts/language-common';

import { COMMON_PASSWORDS_BROTLI_BASE64 } from './common-passwords.gen.ts';

/**
 * zxcvbn-ts's common passwords (`passwords-common` of @zxcvbn-ts/language-common), in rank order,
 * inflated from the compressed copy (generate-common-passwords.ts): a few milliseconds on the
 * first password check, against 140 KiB less in each bundle that checks passwords.
 */
export function commonPasswords(): string[] {
  return brotliDecompressSync(Buffer.from(COMMON_PASSWORDS_BROTLI_BASE64, 'base64'))
    .toString('utf8')
    .split('\n');
}
