/**
 * What one login costs in DynamoDB, step by step: the calls (in order, by item kind) and the
 * request units AWS bills on demand, with transactions billed per item (bench/capacity.ts, the
 * same code `npm run bench` prices a login with). A change that adds a call or a unit to a
 * step fails here with the step's name; the bench's note gives the money it means.
 *
 * Counts are deterministic, times are not: nothing here is timed. The units depend on item
 * sizes, so the inputs have fixed lengths (a UUID in every email, a fixed-length phone
 * number, a three-digit last byte in every client address, the same user agent); every item
 * these steps touch is far from a 1 KB (write) or 4 KB (read) boundary (the bench prints the
 * bytes), so ids and timestamps of varying length cannot move a unit.
 *
 * The handlers run in-process and share `db` with the recorder; a first login and verify warm
 * the container (the keyring is read once per process), as in a warm Lambda.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DbCall, type Recorder, recordCapacity, totals } from '../../bench/capacity.ts';
import { handler as streamWorker } from '../../functions/events/publish.ts';
import { handler as createChallenge } from '../../functions/mfa/challenges-create.ts';
import { handler as verifyMfa } from '../../functions/mfa/verify.ts';
import { handler as createSession } from '../../functions/sessions/create.ts';
import { handler as refreshSession } from '../../functions/sessions/refresh.ts';
import { db, table } from '../../shared/db/client.ts';
import { apiEvent, type LambdaResult, lambdaContext, PASSWORD, signUp } from '../support/api.ts';
import { appCode, enrollSms, enrollTotp, smsCode } from '../support/mfa.ts';

type Handler = (event: ReturnType<typeof apiEvent>, context: typeof lambdaContext) => Promise<unknown>;

/** Handlers answer from a client address with a three-digit last byte: the RATE item's size is fixed. */
async function step(handler: Handler, path: string, body: unknown) {
  const event = apiEvent('POST', path, { body: JSON.stringify(body) });
  event.requestContext.http.sourceIp = `203.0.113.${100 + Math.floor(Math.random() * 155)}`;
  recorder.take();
  const result = (await handler(event, lambdaContext)) as LambdaResult;
  const calls = recorder.take();
  const answer = JSON.parse(String(result.body ?? '{}'));
  if ((result.statusCode ?? 200) >= 300)
    throw new Error(`${path}: ${result.statusCode} ${JSON.stringify(answer)}`);
  return { answer, calls };
}

const fixedEmail = () => `lc-${randomUUID()}@example.com`;
const labels = (calls: DbCall[]) => calls.map((call) => call.label);
const units = (calls: DbCall[]) => {
  const { read, write } = totals(calls);
  return { read, write };
};

let recorder: Recorder;

/**
 * The stream worker as Lambda runs it on the new session's record (the item as stored, the
 * NEW_IMAGE the stream carries). The runtime's own poller may have written the events first:
 * the conditional Puts then fail, and are billed all the same.
 */
async function streamWorkerStep(sessionId: string): Promise<DbCall[]> {
  const Keys = { pk: { S: `SESSION#${sessionId}` }, sk: { S: 'SESSION' } };
  const stored = await raw.send(new GetItemCommand({ TableName: table(), Key: Keys, ConsistentRead: true }));
  recorder.take();
  const answer = await streamWorker({
    Records: [
      { eventName: 'INSERT', dynamodb: { Keys, NewImage: stored.Item as never, SequenceNumber: '1' } },
    ],
  });
  expect(answer).toEqual({ batchItemFailures: [] });
  return recorder.take();
}
const raw = new DynamoDBClient({});

/** A user with an authenticator app and a phone: both MFA steps of a login, one after the other. */
async function userWithFactors() {
  const user = await signUp(fixedEmail());
  const totp = await enrollTotp(user);
  const sms = await enrollSms(user);
  return { email: user.email, totp, sms };
}

const measured: Record<string, DbCall[]> = {};

beforeAll(async () => {
  recorder = recordCapacity(db);
  const warm = await userWithFactors();
  const login = await step(createSession, '/v1/sessions', { email: warm.email, password: PASSWORD });
  await step(verifyMfa, '/v1/mfa/verify', {
    mfaToken: login.answer.mfaToken,
    factorId: warm.totp.factorId,
    code: appCode(warm.totp.secret),
  });

  const user = await userWithFactors();
  const first = await step(createSession, '/v1/sessions', { email: user.email, password: PASSWORD });
  measured['password login'] = first.calls;
  const totp = await step(verifyMfa, '/v1/mfa/verify', {
    mfaToken: first.answer.mfaToken,
    factorId: user.totp.factorId,
    code: appCode(user.totp.secret),
  });
  measured['TOTP verify'] = totp.calls;
  measured['audit events of the new session (stream worker)'] = await streamWorkerStep(
    decodeJwt(totp.answer.accessToken).sid as string,
  );
  const second = await step(createSession, '/v1/sessions', { email: user.email, password: PASSWORD });
  const challenge = await step(createChallenge, '/v1/mfa/challenges', {
    mfaToken: second.answer.mfaToken,
    factorId: user.sms.factorId,
  });
  measured['SMS challenge'] = challenge.calls;
  const sms = await step(verifyMfa, '/v1/mfa/verify', {
    mfaToken: second.answer.mfaToken,
    challengeId: challenge.answer.challengeId,
    code: await smsCode(user.sms.phone),
  });
  measured['SMS verify'] = sms.calls;
  const refresh = await step(refreshSession, '/v1/sessions/refresh', {
    refreshToken: totp.answer.refreshToken,
  });
  measured.refresh = refresh.calls;
});

afterAll(() => recorder?.remove());

/** What each step costs today; a change that adds a call or a unit must change this table. */
const expected: { step: string; calls: string[]; read: number; write: number }[] = [
  {
    step: 'password login',
    calls: [
      'Update RATE(ip-login)/WINDOW (conditional)', // the per-IP limit, before anything else
      'Get EMAIL/USER',
      'Get USER/PROFILE',
      'Update LOGINGUARD/PASSWORD (conditional)', // an attempt reserved before the hash is compared
      'Delete LOGINGUARD/PASSWORD', // and cleared by the right password
      'Query USER/FACTOR', // the active factors decide: mfa_required
      'Put MFATOKEN/LOGIN (conditional)',
    ],
    read: 3,
    write: 4,
  },
  {
    step: 'TOTP verify',
    calls: [
      'Update RATE(ip-codeCheck)/WINDOW (conditional)',
      // The login, the user, the factor, and the session the login becomes (present: used up).
      'BatchGet [MFATOKEN/LOGIN, USER/PROFILE, USER/FACTOR, SESSION/SESSION]',
      'Update MFAGUARD/MFA (conditional)',
      // 4 items at 2 WRU each: the TOTP step, the failures cleared, the session (whose
      // conditional Put uses the login up) and its index entry; its audit events come from its
      // stream record.
      'TransactWrite [Update USER/FACTOR, Delete MFAGUARD/MFA, Put SESSION/SESSION, Put USER/SESSION]',
      'Get USER/PROFILE',
    ],
    read: 5,
    write: 10,
  },
  {
    step: 'audit events of the new session (stream worker)',
    // session.created and mfa.verified, conditional on their absence (a record can come twice).
    calls: ['Put USER/EVENT (conditional)', 'Put USER/EVENT (conditional)'],
    read: 0,
    write: 2,
  },
  {
    step: 'SMS challenge',
    calls: [
      'BatchGet [MFATOKEN/LOGIN, USER/PROFILE, USER/FACTOR, SESSION/SESSION]',
      'Get MFAGUARD/MFA',
      'Update USER/FACTOR (conditional)',
      // The send budget: one window per limit, each one write (a text costs money).
      'Update RATE(send-factor)/WINDOW (conditional)',
      'Update RATE(send-user)/WINDOW (conditional)',
      'Update RATE(send-destination)/WINDOW (conditional)',
      'Update RATE(send-ip)/WINDOW (conditional)',
      'Update RATE(sms-all-hour)/WINDOW (conditional)',
      'Update RATE(sms-all-day)/WINDOW (conditional)',
      'Update RATE(sms-country-hour)/WINDOW (conditional)',
      'Put CHALLENGE/CHALLENGE (conditional)',
      'Put USER/EVENT',
    ],
    read: 5,
    write: 10,
  },
  {
    step: 'SMS verify',
    calls: [
      'Update RATE(ip-codeCheck)/WINDOW (conditional)',
      'BatchGet [MFATOKEN/LOGIN, USER/PROFILE, SESSION/SESSION]',
      'Update CHALLENGE/CHALLENGE (conditional)',
      'Get USER/FACTOR',
      'Update MFAGUARD/MFA (conditional)',
      // 5 items at 2 WRU each: 10 of the step's 13 WRU.
      'TransactWrite [Update CHALLENGE/CHALLENGE, Update USER/FACTOR, Delete MFAGUARD/MFA, Put SESSION/SESSION, Put USER/SESSION]',
      'Get USER/PROFILE',
    ],
    read: 5,
    write: 13,
  },
  {
    step: 'refresh',
    calls: ['Update SESSION/SESSION (conditional)', 'Get USER/PROFILE', 'Query USER/FACTOR'],
    read: 2,
    write: 1,
  },
];

describe('DynamoDB calls and request units of a login, per step (warm)', () => {
  it.each(expected)('$step: $read RRU, $write WRU, in these calls', ({ step: name, calls, read, write }) => {
    const actual = measured[name] ?? [];
    expect({ calls: labels(actual), ...units(actual) }).toEqual({ calls, read, write });
  });

  // The units above hold for any ids and timestamps only while no item is near a boundary.
  it('every transaction item stays 256 bytes or more below 1 KB (units cannot drift by an id)', () => {
    const sizes = Object.values(measured).flatMap((calls) => calls.flatMap((call) => call.items));
    expect(sizes.length).toBeGreaterThan(0);
    expect(sizes.filter((item) => item.bytes > 1024 - 256)).toEqual([]);
  });
});
