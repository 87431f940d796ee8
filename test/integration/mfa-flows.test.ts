/**
 * The MFA login flows a client walks, over HTTP against the local runtime (API.md "MFA at
 * login"): password → mfa_required → challenge → verify with an authenticator app, SMS, email
 * or a recovery code; "remember this device"; the user's security events. Tokens are checked
 * for what they claim (`aal`, `amr` per RFC 8176 plus `email` and `recovery`).
 */
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { call, logIn, PASSWORD, uniqueEmail } from '../support/api.ts';
import {
  account,
  allEvents,
  answers,
  appCode,
  appCodeNow,
  challenge,
  emailsTo,
  enrollSms,
  enrollTotp,
  lastEmailCode,
  lastSms,
  mfaToken,
  smsCode,
  uniquePhone,
  verify,
} from '../support/mfa.ts';

const publicFactor = (fields: Record<string, unknown>) => ({
  id: expect.any(String),
  label: expect.any(String),
  createdAt: expect.any(String),
  lastUsedAt: null,
  ...fields,
});

const near = (iso: string, secondsFromNow: number) =>
  Math.abs(Date.parse(iso) - (Date.now() + secondsFromNow * 1000)) < 10_000;

async function enrollEmail(user: { accessToken: string }, address = uniqueEmail('factor')) {
  const created = await call('POST', '/v1/mfa/factors', {
    token: user.accessToken,
    body: { type: 'email', password: PASSWORD, email: address },
  });
  expect(created.status).toBe(201);
  const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
    token: user.accessToken,
    body: { code: await lastEmailCode(address), challengeId: created.body.challengeId },
  });
  expect(activated.status).toBe(200);
  return { factorId: created.body.factor.id as string, address };
}

describe('login with a second factor', () => {
  it('mfa_required lists only active factors, masked; an authenticator code gives aal 2, amr otp', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const sms = await enrollSms(user);
    // A pending factor (never confirmed) is not offered at login.
    const pending = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'email', password: PASSWORD, email: uniqueEmail('pending') },
    });
    expect(pending.body.factor.status).toBe('pending');

    const login = await logIn(user.email);
    expect(login.status).toBe(200);
    expect(login.body).toEqual({
      status: 'mfa_required',
      mfaToken: expect.stringMatching(/^[0-9A-Z]{26}\.[0-9A-Z]{26}\.[\w-]{43}$/),
      expiresIn: 600,
      factors: [
        publicFactor({
          id: totp.factorId,
          type: 'totp',
          label: 'Authenticator app',
          destination: null,
          status: 'active',
        }),
        publicFactor({
          id: sms.factorId,
          type: 'sms',
          label: 'Phone',
          destination: `+*******${sms.phone.slice(-4)}`,
          status: 'active',
        }),
      ],
    });

    const verified = await verify({
      mfaToken: login.body.mfaToken,
      factorId: totp.factorId,
      code: appCode(totp.secret),
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual(answers.authenticated);
    expect(decodeJwt(verified.body.accessToken)).toMatchObject({
      sub: user.userId,
      aal: 2,
      amr: ['pwd', 'otp', 'mfa'],
      scope: 'aal1 aal2',
    });
    // The factor now shows when it was last used.
    const listed = await call('GET', '/v1/mfa/factors', { token: verified.body.accessToken });
    const used = listed.body.factors.find((f: { id: string }) => f.id === totp.factorId);
    expect(near(used.lastUsedAt, 0)).toBe(true);
  });

  it('SMS: a national number with its country, a challenge, the texted code → amr sms', async () => {
    const user = await account();
    const phone = uniquePhone(); // +316xxxxxxxx
    const national = `0${phone.slice(3)}`; // 06xxxxxxxx
    const created = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'sms', password: PASSWORD, phoneNumber: national, country: 'NL', label: 'Work phone' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      factor: publicFactor({
        type: 'sms',
        label: 'Work phone',
        destination: `+*******${phone.slice(-4)}`,
        status: 'pending',
      }),
      challengeId: expect.any(String),
      expiresAt: expect.any(String),
      resendAvailableAt: expect.any(String),
    });
    // Sent to the E.164 form of the number.
    expect(await lastSms(phone)).toMatch(/^Your Serverless MFA code is \d{6}\. It expires in 5 minutes\./);
    const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
      token: user.accessToken,
      body: { code: await smsCode(phone), challengeId: created.body.challengeId },
    });
    expect(activated.body).toEqual({
      factor: { ...created.body.factor, status: 'active' },
      recoveryCodes: expect.any(Array),
    });

    const token = await mfaToken(user.email);
    const started = await challenge(token, created.body.factor.id);
    expect(started.status).toBe(201);
    expect(started.body).toEqual({
      challengeId: expect.any(String),
      factorId: created.body.factor.id,
      factorType: 'sms',
      destination: `+*******${phone.slice(-4)}`,
      expiresAt: expect.any(String),
      resendAvailableAt: expect.any(String),
    });
    expect(near(started.body.expiresAt, 300)).toBe(true);
    expect(near(started.body.resendAvailableAt, 30)).toBe(true);

    const verified = await verify({
      mfaToken: token,
      challengeId: started.body.challengeId,
      code: await smsCode(phone),
    });
    expect(verified.body).toEqual(answers.authenticated);
    expect(decodeJwt(verified.body.accessToken)).toMatchObject({ aal: 2, amr: ['pwd', 'sms', 'mfa'] });
  });

  it('email factor end to end: code by email (never in the subject) → amr email', async () => {
    const user = await account();
    const address = uniqueEmail('codes');
    const { factorId } = await enrollEmail(user, address);
    const token = await mfaToken(user.email);
    const started = await challenge(token, factorId);
    // The first and last character of the local part (`codes-<uuid>`), and the whole domain.
    const local = address.slice(0, address.indexOf('@'));
    expect(started.body).toMatchObject({
      factorType: 'email',
      destination: `${local[0]}***${local.at(-1)}@example.com`,
    });
    const code = await lastEmailCode(address);
    const mails = await emailsTo(address);
    expect(mails.every((mail) => mail.Subject === 'Your Serverless MFA verification code')).toBe(true);
    expect(mails.some((mail) => mail.Subject.includes(code))).toBe(false);

    const verified = await verify({ mfaToken: token, challengeId: started.body.challengeId, code });
    expect(verified.body).toEqual(answers.authenticated);
    expect(decodeJwt(verified.body.accessToken)).toMatchObject({ aal: 2, amr: ['pwd', 'email', 'mfa'] });
  });

  it('a recovery code logs in (amr recovery), once, and the owner is told', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const recoveryCode = (totp.recoveryCodes as string[])[3] as string;
    // Typed from paper: lower case, without hyphens, works the same.
    const typed = recoveryCode.toLowerCase().replaceAll('-', '');
    const recovered = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: await mfaToken(user.email), recoveryCode: typed },
    });
    expect(recovered.status).toBe(200);
    expect(recovered.body).toEqual({ ...answers.authenticated, recoveryCodesRemaining: 9 });
    expect(decodeJwt(recovered.body.accessToken)).toMatchObject({ aal: 2, amr: ['pwd', 'recovery', 'mfa'] });
    const again = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: await mfaToken(user.email), recoveryCode },
    });
    expect(again.body).toEqual(answers.alreadyUsed);
    const notice = (await emailsTo(user.email)).find(
      (mail) => mail.Subject === 'Serverless MFA: a recovery code was used',
    );
    expect(notice?.Body.text_part).toContain('You have 9 recovery codes left');
  });
});

describe('remember this device', () => {
  it('a device token skips the second factor until it is revoked', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const browser = { 'user-agent': 'Firefox on the test laptop' };
    const verified = await call('POST', '/v1/mfa/verify', {
      headers: browser,
      body: {
        mfaToken: await mfaToken(user.email),
        factorId: totp.factorId,
        code: appCode(totp.secret),
        rememberDevice: true,
      },
    });
    expect(verified.body).toEqual({
      ...answers.authenticated,
      deviceToken: expect.stringMatching(/^[0-9A-Z]{26}\.[\w-]{43}$/),
    });
    const { deviceToken } = verified.body;

    const skipped = await call('POST', '/v1/sessions', {
      body: { email: user.email, password: PASSWORD, deviceToken },
    });
    expect(skipped.body).toEqual({ ...answers.authenticated, mfa: { enabled: true, suggested: false } });
    expect(decodeJwt(skipped.body.accessToken)).toMatchObject({ aal: 2, amr: ['pwd', 'mfa'] });
    // Still needs the password: a device token is not a login by itself.
    const wrongPassword = await call('POST', '/v1/sessions', {
      body: { email: user.email, password: 'not the password at all', deviceToken },
    });
    expect(wrongPassword.status).toBe(401);
    // Another user's login with this token is not skipped.
    const other = await account();
    await enrollTotp(other);
    const foreign = await call('POST', '/v1/sessions', {
      body: { email: other.email, password: PASSWORD, deviceToken },
    });
    expect(foreign.body.status).toBe('mfa_required');

    const devices = await call('GET', '/v1/mfa/devices', { token: user.accessToken });
    expect(devices.body).toEqual({
      devices: [
        {
          id: deviceToken.split('.')[0],
          label: 'Firefox on the test laptop',
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
          expiresAt: expect.any(String),
        },
      ],
    });
    expect(near(devices.body.devices[0].expiresAt, 30 * 24 * 3600)).toBe(true);

    const revoked = await call('DELETE', `/v1/mfa/devices/${devices.body.devices[0].id}`, {
      token: user.accessToken,
    });
    expect(revoked.status).toBe(204);
    expect((await call('GET', '/v1/mfa/devices', { token: user.accessToken })).body).toEqual({ devices: [] });
    const afterRevoke = await call('POST', '/v1/sessions', {
      body: { email: user.email, password: PASSWORD, deviceToken },
    });
    expect(afterRevoke.body.status).toBe('mfa_required');
    const twice = await call('DELETE', `/v1/mfa/devices/${devices.body.devices[0].id}`, {
      token: user.accessToken,
    });
    expect(twice.body).toEqual(answers.notFound);
    const types = (await allEvents(user.accessToken)).map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['device.remembered', 'device.revoked']));
  });
});

describe('security events', () => {
  it('GET /v1/me/events: newest first, pages of 2 by nextCursor, no duplicates, no codes', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const sms = await enrollSms(user);
    const codes: string[] = [await appCodeNow(totp.secret, -1), ...(totp.recoveryCodes ?? [])];
    const totpLogin = appCode(totp.secret);
    codes.push(totpLogin);
    await verify({ mfaToken: await mfaToken(user.email), factorId: totp.factorId, code: totpLogin });
    const token = await mfaToken(user.email);
    const started = await challenge(token, sms.factorId);
    const smsLogin = await smsCode(sms.phone);
    codes.push(smsLogin);
    await verify({
      mfaToken: token,
      challengeId: started.body.challengeId,
      code: '000000' === smsLogin ? '000001' : '000000',
    });
    const done = await verify({ mfaToken: token, challengeId: started.body.challengeId, code: smsLogin });
    expect(done.status).toBe(200);
    const recoveryCode = totp.recoveryCodes?.[0] as string;
    await call('POST', '/v1/mfa/recover', { body: { mfaToken: await mfaToken(user.email), recoveryCode } });

    const all = await allEvents(user.accessToken, 100);
    const paged = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `limit=2&cursor=${encodeURIComponent(cursor)}` : 'limit=2';
      const page = await call('GET', `/v1/me/events?${query}`, { token: user.accessToken });
      expect(page.status).toBe(200);
      expect(page.body.events.length).toBeLessThanOrEqual(2);
      paged.push(...page.body.events);
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(cursor).toBeNull();
    expect(paged).toEqual(all);
    expect(new Set(paged.map((event) => event.id)).size).toBe(paged.length);
    const ids = paged.map((event) => event.id);
    expect(ids).toEqual([...ids].sort().reverse());
    // The last step's events come first (one transaction: same millisecond, so in either order).
    expect(
      paged
        .slice(0, 2)
        .map((event) => event.type)
        .sort(),
    ).toEqual(['recovery_code.used', 'session.created']);
    expect(paged.find((event) => event.type === 'recovery_code.used')).toEqual({
      id: expect.any(String),
      type: 'recovery_code.used',
      at: expect.any(String),
      actorId: user.userId,
      userId: user.userId,
      ip: expect.any(String),
      userAgent: expect.any(String),
      details: { remaining: 9 },
    });
    expect(paged.map((event) => event.type)).toEqual(
      expect.arrayContaining([
        'session.created',
        'factor.added',
        'factor.activated',
        'recovery_codes.generated',
        'mfa.challenge_sent',
        'mfa.failed',
        'mfa.verified',
        'recovery_code.used',
      ]),
    );
    // No code, in any form, in any event.
    const text = JSON.stringify(paged);
    for (const code of [...codes, ...codes.map((c) => c.replaceAll('-', ''))])
      expect(text).not.toContain(code);

    const badCursor = await call('GET', '/v1/me/events?limit=2&cursor=bm90LWEta2V5', {
      token: user.accessToken,
    });
    expect(badCursor.status).toBe(400);
  });
});
