/**
 * What the stack bundles instead of `@aws-sdk/credential-provider-node` (an esbuild alias in
 * service.ts). In Lambda the role's credentials are in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), valid for the life of the sandbox; the default
 * chain's SSO, INI, process, web-identity and ECS/IMDS providers (and the STS/SSO clients they
 * carry) are never reached there, yet cost about 95 KiB of every bundle and their module
 * initialisation. The local runtime's `--bundles` mode runs the bundles with environment
 * credentials too. Unbundled code (tests, the local runtime) keeps the SDK's default chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

type Init = Parameters<typeof fromEnv>[0];

/** The same name and shape as the SDK's: each client calls it with its logger. */
export const defaultProvider = (init: Init = {}): AwsCredentialIdentityProvider => fromEnv(init);

// The chain's other exports, for a module that imports them.
export const credentialsWillNeedRefresh = (credentials: AwsCredentialIdentity) =>
  credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials: AwsCredentialIdentity) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
