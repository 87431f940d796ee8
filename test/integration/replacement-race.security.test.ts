/**
 * Attack: one proof of the old phone number, two replacements. The losing request has already
 * written its pending factor and texted its code when it finds the proof spent; in that window
 * its factor must not be activatable, and its clean-up must never remove an active factor.
 */
import { expect, it, vi } from 'vitest';
import { handler as createFactor } from '../../functions/mfa/factors-create.ts';
import { db } from '../../shared/db/client.ts';
import { findUserById } from '../../shared/db/users.ts';
import { call, logIn, PASSWORD } from '../support/api.ts';
import { account, enrollSms, invoke, sleep, smsCode, uniquePhone } from '../support/mfa.ts';

it('race: a losing replacement cannot be activated while its proof is unspent, and nothing active is removed', async () => {
  const user = await account();
  const old = await enrollSms(user);
  const sent = await call('POST', `/v1/mfa/factors/${old.factorId}/codes`, { token: user.accessToken });
  const verification = { challengeId: sent.body.challengeId, code: await smsCode(old.phone) };
  const [p1, p2] = [uniquePhone(), uniquePhone()];

  // Hold the loser's proof-spending transaction (after its SMS went out) until the winner is done.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const original = db.send.bind(db);
  let held = false;
  const spy = vi.spyOn(db, 'send').mockImplementation((async (command: any, ...rest: any[]) => {
    const items = command.input?.TransactItems as any[] | undefined;
    if (!held && items?.some((item) => item.Update?.Key?.pk === `CHALLENGE#${verification.challengeId}`)) {
      held = true;
      await gate;
    }
    return original(command, ...rest);
  }) as any);
  try {
    const loser = invoke(createFactor, 'POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'sms', password: PASSWORD, phoneNumber: p1, replaces: old.factorId, verification },
    });
    for (let i = 0; i < 100 && !held; i++) await sleep(50);
    expect(held).toBe(true);
    const winner = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'sms', password: PASSWORD, phoneNumber: p2, replaces: old.factorId, verification },
    });
    expect(winner.status).toBe(201);

    const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
    const loserFactor = listed.body.factors.find(
      (factor: any) => factor.status === 'pending' && factor.destination.endsWith(p1.slice(-4)),
    );
    const early = await call('POST', `/v1/mfa/factors/${loserFactor.id}/activate`, {
      token: user.accessToken,
      body: { code: await smsCode(p1) },
    });
    expect(early.status).toBe(410);

    release();
    expect((await loser).status).toBe(410);
  } finally {
    release();
    spy.mockRestore();
  }

  // The old factor is still the active one, the winner's replacement is pending, the count agrees.
  const after = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
  expect(
    after.body.factors.map((factor: any) => [factor.status, factor.destination.slice(-4)]).sort(),
  ).toEqual(
    [
      ['active', old.phone.slice(-4)],
      ['pending', p2.slice(-4)],
    ].sort(),
  );
  expect((await findUserById(user.userId))?.activeFactors).toBe(1);
  expect((await logIn(user.email)).body.status).toBe('mfa_required');
});
