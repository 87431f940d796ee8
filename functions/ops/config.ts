import { MAX_CODE_POINTS, MIN_CODE_POINTS } from '../../shared/auth/password-length.ts';
import { config, REMEMBER_DEVICE_MAX_DAYS } from '../../shared/config.ts';
import { http } from '../../shared/http/handler.ts';
import { FACTOR_TYPES } from '../../shared/mfa/factor-types.ts';
import { CODE_DIGITS } from '../../shared/mfa/schemas.ts';
import * as routes from '../routes/ops.ts';

// The same for everyone and changed only by a deployment: browsers and proxies may keep it a while.
const CACHE_SECONDS = 300;

export const handler = http(routes.config, async function publicSettings() {
  const c = config();
  return {
    status: 200,
    headers: { 'cache-control': `public, max-age=${CACHE_SECONDS}` },
    body: {
      smsCountries: [...c.smsAllowedCountries].sort(),
      factorTypes: [...FACTOR_TYPES],
      passwordMinLength: MIN_CODE_POINTS,
      passwordMaxLength: MAX_CODE_POINTS,
      codeLength: CODE_DIGITS,
      codeTtlSeconds: c.codeTtlSeconds,
      maxActiveFactors: c.maxActiveFactors,
      recoveryCodeCount: c.recoveryCodeCount,
      rememberDeviceMaxDays: REMEMBER_DEVICE_MAX_DAYS,
    },
  };
});
