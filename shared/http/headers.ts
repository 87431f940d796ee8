/**
 * Headers on every API answer: the handlers' and the local runtime's own (404, 413), so an
 * answer looks the same whoever produced it.
 */
export const securityHeaders: Record<string, string> = {
  'content-type': 'application/json; charset=utf-8',
  // Answers carry tokens and personal data: never cached by browsers or proxies.
  'cache-control': 'no-store',
  // No `preload`: submitting to the browsers' preload lists is the domain owner's decision
  // (it binds every subdomain for months), not an API's default.
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
};
