/**
 * How many DynamoDB calls the verify step makes (a regression guard for latency and cost; one
 * call is one round trip, and the transaction is billed per item).
 *
 * It documents the design (DESIGN "Flows", principle 3): the client address's per-IP window
 * (one conditional write, before anything else); one batch read of the login, the user, the
 * factor the body names and the session the login becomes; conditional writes that reserve an
 * attempt BEFORE the code is checked (the user's MFA guard, and for a challenge its own attempt
 * count), so parallel guesses cannot exceed the limits; then ONE transaction that uses up the
 * proof (challenge marked used / TOTP step recorded), clears the guard and creates the session
 * the login named (a Put conditional on its absence: that is what uses the login up) with its
 * entry in the user's index. The audit events are derived from the
 * session's stream record. No read-check-write: everything single-use is decided by a
 * condition in a write.
 *
 * The verify handler runs in-process with `db.send` spied on. A first verify warms the
 * container (keyring and signing key are read once per process), as in a warm Lambda.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as verifyHandler } from '../../functions/mfa/verify.ts';
import { db } from '../../shared/db/client.ts';
import { call } from '../support/api.ts';
import { account, appCode, enrollSms, enrollTotp, invoke, mfaToken, smsCode } from '../support/mfa.ts';

type Input = {
  RequestItems?: Record<string, { Keys: { pk?: string; sk?: string }[] }>;
  Key?: { pk?: string; sk?: string };
  Item?: { pk?: string; sk?: string };
  ConditionExpression?: string;
  TransactItems?: Record<
    string,
    { Key?: { pk?: string; sk?: string }; Item?: { pk?: string; sk?: string } }
  >[];
};

/** `USER#01H…` / `FACTOR#01H…` → `USER/FACTOR`: the kind of item, without ids. */
const kind = (key: { pk?: string; sk?: string } | undefined) =>
  `${String(key?.pk).split('#')[0]}/${/^\d+$/.test(String(key?.sk)) ? 'WINDOW' : String(key?.sk).split('#')[0]}`;

function describeCall(command: { constructor: { name: string }; input: unknown }): string {
  const name = command.constructor.name.replace(/Command$/, '');
  const input = command.input as Input;
  if (name === 'TransactWrite') {
    const items = (input.TransactItems ?? []).map((item) => {
      const [op, body] = Object.entries(item)[0] as [string, { Key?: Input['Key']; Item?: Input['Item'] }];
      return `${op} ${kind(body.Key ?? body.Item)}`;
    });
    return `TransactWrite [${items.join(', ')}]`;
  }
  if (name === 'BatchGet') {
    const keys = Object.values(input.RequestItems ?? {}).flatMap((request) => request.Keys);
    return `BatchGet [${keys.map(kind).join(', ')}]`;
  }
  return `${name} ${kind(input.Key ?? input.Item)}${input.ConditionExpression ? ' (conditional)' : ''}`;
}

async function measure(body: Record<string, unknown>) {
  const send = vi.spyOn(db, 'send');
  try {
    const answer = await invoke(verifyHandler, 'POST', '/v1/mfa/verify', { body });
    expect(answer.status).toBe(200);
    return send.mock.calls.map(([command]) => describeCall(command as never));
  } finally {
    send.mockRestore();
  }
}

const summary = (calls: string[]) => ({
  reads: calls.filter((c) => c.startsWith('Get') || c.startsWith('Query') || c.startsWith('BatchGet')).length,
  conditionalWrites: calls.filter((c) => c.endsWith('(conditional)')).length,
  transactions: calls.filter((c) => c.startsWith('TransactWrite')).length,
  total: calls.length,
});

beforeAll(async () => {
  const user = await account();
  const totp = await enrollTotp(user);
  await measure({
    mfaToken: await mfaToken(user.email),
    factorId: totp.factorId,
    code: appCode(totp.secret),
  });
});

describe('DynamoDB calls of POST /v1/mfa/verify (warm)', () => {
  it('an SMS challenge: 3 reads, 3 conditional writes, 1 transaction', async () => {
    const user = await account();
    const sms = await enrollSms(user);
    const token = await mfaToken(user.email);
    const started = await call('POST', '/v1/mfa/challenges', {
      body: { mfaToken: token, factorId: sms.factorId },
    });
    const calls = await measure({
      mfaToken: token,
      challengeId: started.body.challengeId,
      code: await smsCode(sms.phone),
    });
    console.log('verify, SMS challenge:', summary(calls), calls);

    expect(calls.slice(0, 5)).toEqual([
      'Update RATE/WINDOW (conditional)', // the per-IP limit of code checks, before anything else
      // the mfaToken's login, the user, and the session the login becomes (authentication middleware)
      'BatchGet [MFATOKEN/LOGIN, USER/PROFILE, SESSION/SESSION]',
      'Update CHALLENGE/CHALLENGE (conditional)', // reserve an attempt of the challenge (also: live, the caller's)
      'Get USER/FACTOR', // the factor, still active
      'Update MFAGUARD/MFA (conditional)', // reserve an attempt of the user's guard, right before comparing
    ]);
    expect(calls[5]).toMatch(/^TransactWrite \[/);
    expect(calls[5]).toContain('Update CHALLENGE/CHALLENGE'); // marked used, if the code is still current
    expect(calls[5]).toContain('Delete MFAGUARD/MFA'); // a success clears the failures
    expect(calls[5]).toContain('Put SESSION/SESSION'); // conditional on its absence: the login is used up
    expect(calls[5]).toContain('Put USER/SESSION'); // the user's index of sessions
    expect(calls[5]).not.toContain('MFATOKEN/LOGIN');
    expect(calls[6]).toBe('Get USER/PROFILE'); // the password version, after the commit
    expect(summary(calls)).toEqual({ reads: 3, conditionalWrites: 3, transactions: 1, total: 7 });
  });

  it('an authenticator code (factorId, no challenge): 2 reads, 2 conditional writes, 1 transaction', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const calls = await measure({
      mfaToken: await mfaToken(user.email),
      factorId: totp.factorId,
      code: appCode(totp.secret),
    });
    console.log('verify, TOTP factor:', summary(calls), calls);

    expect(calls.slice(0, 3)).toEqual([
      'Update RATE/WINDOW (conditional)',
      // with the factor the body names: its sealed secret (opened with the cached data key: no KMS call)
      'BatchGet [MFATOKEN/LOGIN, USER/PROFILE, USER/FACTOR, SESSION/SESSION]',
      'Update MFAGUARD/MFA (conditional)',
    ]);
    expect(calls[3]).toMatch(/^TransactWrite \[/);
    expect(calls[3]).toContain('Update USER/FACTOR'); // lastTotpStep < :step: each step once
    expect(calls[3]).toContain('Put SESSION/SESSION');
    expect(calls[3]).not.toContain('MFATOKEN/LOGIN');
    expect(calls[4]).toBe('Get USER/PROFILE');
    expect(summary(calls)).toEqual({ reads: 2, conditionalWrites: 2, transactions: 1, total: 5 });
  });
});
