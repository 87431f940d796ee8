import { SCOPES_SUPPORTED } from '../../shared/auth/tokens.ts';
import { config } from '../../shared/config.ts';
import { verificationKeys } from '../../shared/crypto/keyring.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/keys.ts';

/**
 * OpenID Connect Discovery 1.0 §3, as far as it is true here: what a JWT verifier needs (the
 * issuer, where its keys are, the algorithms) and the claims and scopes of the access tokens.
 * This service is not an OpenID provider: no authorization or token endpoint, no ID tokens
 * issued through a flow, so no response types; clients authenticate to nothing (`none`).
 */
export const handler = http(routes.openidConfiguration, async function openidConfiguration() {
  const issuer = config().tokenIssuer;
  const published = [...new Set((await verificationKeys()).map((key) => key.alg))];
  return {
    status: 200,
    body: {
      issuer,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      // During a change of algorithm both kinds are published; before the first key, the configured one.
      id_token_signing_alg_values_supported: published.length ? published : [config().tokenSigningAlg],
      token_endpoint_auth_methods_supported: ['none'],
      scopes_supported: [...SCOPES_SUPPORTED],
      claims_supported: [
        'iss',
        'sub',
        'aud',
        'exp',
        'iat',
        'auth_time',
        'amr',
        'sid',
        'aal',
        'scope',
        'org',
        'role',
      ],
      response_types_supported: [],
      subject_types_supported: ['public'],
    },
    headers: { 'cache-control': published.length ? 'public, max-age=300' : 'no-store' },
  };
});
