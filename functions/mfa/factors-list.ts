import { listFactors, publicFactor } from '../../shared/db/factors.ts';
import { countRecoveryCodes } from '../../shared/db/recovery.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/mfa.ts';

export const handler = http(routes.listFactors, async ({ auth }) => {
  const [factors, recoveryCodesRemaining] = await Promise.all([
    listFactors(auth.sub),
    countRecoveryCodes(auth.sub),
  ]);
  return {
    status: 200,
    body: {
      factors: factors.map(publicFactor),
      recoveryCodesRemaining,
      mfaEnabled: factors.some((factor) => factor.status === 'active'),
    },
  };
});
