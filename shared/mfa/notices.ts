import { type Factor, publicFactor } from '../db/factors.ts';
import type { User } from '../db/users.ts';
import { notifyAccount } from '../notify/email.ts';
import { factorActivated, factorAdded, factorRemoved, factorReplaced } from '../notify/templates.ts';
import type { RequestContext } from './guard.ts';

const templates = { factorAdded, factorActivated, factorRemoved, factorReplaced };

/** Emails the account owner about a change to one of their factors (never fails the request). */
export async function tellOwner(
  user: User,
  what: 'factorAdded' | 'factorActivated' | 'factorRemoved' | 'factorReplaced',
  factor: Factor,
  context: RequestContext,
  previous?: Factor,
): Promise<void> {
  const notice = {
    at: new Date(),
    ...context,
    factorType: factor.type,
    ...(factor.destination ? { destination: publicFactor(factor).destination as string } : {}),
    ...(previous?.destination ? { previousDestination: publicFactor(previous).destination as string } : {}),
  };
  await notifyAccount(user.email, templates[what](notice), { userId: user.userId, event: what });
}
