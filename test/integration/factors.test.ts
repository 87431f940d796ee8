/**
 * Managing factors (API.md "Factors"), over HTTP: enrolling TOTP (RFC 6238 / Google's Key Uri
 * Format, 160-bit secrets per RFC 4226 R6), SMS and email; recovery codes (10, 80 bits,
 * single use, shown once); changing a phone number; removing factors and regenerating codes
 * with a verification (the last factor takes the recovery codes and remembered devices with
 * it); the limits (5 active factors, pending factors expire after 15 min); and the security
 * email the account owner gets on every change.
 */
import { describe, expect, it } from 'vitest';
import { activateFactor, getFactor, listFactors } from '../../shared/db/factors.ts';
import { transact } from '../../shared/db/transact.ts';
import { base32Decode } from '../../shared/mfa/totp.ts';
import { call, logIn, PASSWORD } from '../support/api.ts';
import {
  account,
  allEvents,
  answers,
  appCode,
  appCodeNow,
  emailsTo,
  enrollSms,
  enrollTotp,
  lastSms,
  mfaToken,
  RECOVERY_CODE,
  SIGNUP_CODE_SUBJECT,
  smsCode,
  subjectsTo,
  uniquePhone,
  verify,
  wrongAppCode,
} from '../support/mfa.ts';

const subject = {
  activated: 'Serverless MFA: a sign-in method is now active',
  removed: 'Serverless MFA: a sign-in method was removed',
  renamed: 'Serverless MFA: a sign-in method was renamed',
  replaced: 'Serverless MFA: a sign-in method was changed',
  regenerated: 'Serverless MFA: new recovery codes were created',
  used: 'Serverless MFA: a recovery code was used',
};

const pendingTotp = {
  id: expect.any(String),
  type: 'totp',
  label: 'Authenticator app',
  destination: null,
  status: 'pending',
  createdAt: expect.any(String),
  lastUsedAt: null,
};

describe('enrolling an authenticator app', () => {
  it('returns the base32 secret, an otpauth URI and a PNG QR code; pending until its first code', async () => {
    const user = await account();
    const created = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'totp', password: PASSWORD },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      factor: pendingTotp,
      secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
      otpauthUri: expect.any(String),
      qrCode: expect.stringMatching(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/),
    });
    const { secret, otpauthUri, qrCode } = created.body;
    expect(base32Decode(secret)).toHaveLength(20); // 160 bits
    const png = Buffer.from(qrCode.slice('data:image/png;base64,'.length), 'base64');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

    const uri = new URL(otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname.slice(1))).toBe(`Serverless MFA:${user.email}`);
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret,
      issuer: 'Serverless MFA',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });

    // Pending: no MFA at login yet, and a wrong first code does not activate it.
    expect((await logIn(user.email)).body).toEqual({
      ...answers.authenticated,
      mfa: { enabled: false, suggested: false },
    });
    const wrong = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
      token: user.accessToken,
      body: { code: wrongAppCode(secret) },
    });
    expect(wrong.body).toEqual(answers.codeInvalid(4));

    const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
      token: user.accessToken,
      body: { code: await appCodeNow(secret, -1) },
    });
    expect(activated.status).toBe(200);
    expect(activated.body).toEqual({
      factor: { ...pendingTotp, id: created.body.factor.id, status: 'active' },
      recoveryCodes: expect.any(Array),
    });
    // The first factor: exactly 10 distinct recovery codes, XXXX-XXXX-XXXX-XXXX.
    const codes: string[] = activated.body.recoveryCodes;
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(RECOVERY_CODE);
    expect(new Set(codes).size).toBe(10);
    expect((await logIn(user.email)).body.status).toBe('mfa_required');

    // Activating twice is refused.
    const again = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
      token: user.accessToken,
      body: { code: appCode(secret) },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('factor_not_pending');
  });

  it('a second factor activates without recovery codes; the first set stays', async () => {
    const user = await account();
    const first = await enrollTotp(user);
    expect(first.recoveryCodes).toHaveLength(10);
    const second = await enrollSms(user);
    expect(second.recoveryCodes).toBeUndefined();
    const third = await enrollTotp(user);
    expect(third.recoveryCodes).toBeUndefined();
    const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
    expect(listed.body.recoveryCodesRemaining).toBe(10);
    expect(listed.body.mfaEnabled).toBe(true);
    expect(listed.body.factors).toHaveLength(3);
  });
});

describe('phone numbers', () => {
  it.each([
    [
      'a number of a country not on the allow-list (JP)',
      'country_not_allowed',
      'SMS to this country is not available.',
      { phoneNumber: '+81 90-1234-5678' },
    ],
    [
      'a non-geographic number',
      'country_not_allowed',
      'SMS to this country is not available.',
      { phoneNumber: '+800 1234 5678' },
    ],
    [
      'too few digits',
      'invalid_phone_number',
      'The phone number is not valid.',
      { phoneNumber: '+31 6 123' },
    ],
    [
      'national digits without a country',
      'invalid_phone_number',
      'The phone number is not valid.',
      { phoneNumber: '0612345678' },
    ],
    [
      'trailing letters',
      'invalid_phone_number',
      'The phone number is not valid.',
      { phoneNumber: '+31612345678a' },
    ],
    [
      'an unknown country code',
      'invalid_phone_number',
      'The phone number is not valid.',
      { phoneNumber: '0612345678', country: 'XX' },
    ],
  ])('%s → 400 %s, nothing sent', async (_, code, message, phone) => {
    const user = await account();
    const answer = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'sms', password: PASSWORD, ...phone },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code, message } });
    expect((await call('GET', '/v1/mfa/factors', { token: user.accessToken })).body.factors).toEqual([]);
  });

  it('the same number twice is 409 already_exists', async () => {
    const user = await account();
    const sms = await enrollSms(user);
    const again = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'sms', password: PASSWORD, phoneNumber: `0${sms.phone.slice(3)}`, country: 'nl' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_exists');
  });

  it('a wrong password is 401 invalid_credentials', async () => {
    const user = await account();
    const answer = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'totp', password: 'not my password at all' },
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      error: { code: 'invalid_credentials', message: 'The email or password is incorrect.' },
    });
  });
});

describe('changing a phone number', () => {
  it('code to the old number → new factor with `replaces` → activation swaps them in one step', async () => {
    const user = await account();
    const old = await enrollSms(user);
    const recovery = old.recoveryCodes as string[];
    const newPhone = uniquePhone();
    const body = { type: 'sms', password: PASSWORD, phoneNumber: newPhone, replaces: old.factorId };

    const unproven = await call('POST', '/v1/mfa/factors', { token: user.accessToken, body });
    expect(unproven.status).toBe(403);
    expect(unproven.body).toEqual(answers.verificationRequired);

    const sent = await call('POST', `/v1/mfa/factors/${old.factorId}/codes`, { token: user.accessToken });
    expect(sent.status).toBe(201);
    expect(sent.body).toEqual({
      challengeId: expect.any(String),
      expiresAt: expect.any(String),
      resendAvailableAt: expect.any(String),
    });
    const verification = { challengeId: sent.body.challengeId, code: await smsCode(old.phone) };
    const created = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { ...body, verification },
    });
    expect(created.status).toBe(201);
    expect(created.body.factor).toMatchObject({
      type: 'sms',
      status: 'pending',
      destination: `+*******${newPhone.slice(-4)}`,
    });
    // The proof is spent: the same verification cannot start a second change.
    const reused = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { ...body, phoneNumber: uniquePhone(), verification },
    });
    expect(reused.body).toEqual(answers.challengeExpired);
    // Until activation the old number is still the one in use.
    expect((await logIn(user.email)).body.factors.map((f: { id: string }) => f.id)).toEqual([old.factorId]);

    const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
      token: user.accessToken,
      body: { code: await smsCode(newPhone), challengeId: created.body.challengeId },
    });
    expect(activated.status).toBe(200);
    expect(activated.body).toEqual({ factor: { ...created.body.factor, status: 'active' } });

    const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
    expect(listed.body).toEqual({
      factors: [activated.body.factor],
      recoveryCodesRemaining: 10,
      mfaEnabled: true,
    });
    // Still the one recovery set: the first code works.
    const recovered = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: await mfaToken(user.email), recoveryCode: recovery[0] },
    });
    expect(recovered.body.recoveryCodesRemaining).toBe(9);

    const notice = (await emailsTo(user.email)).find((mail) => mail.Subject === subject.replaced);
    expect(notice?.Body.text_part).toContain(
      `from +*******${old.phone.slice(-4)} to +*******${newPhone.slice(-4)}`,
    );
    const replaced = (await allEvents(user.accessToken)).find((event) => event.type === 'factor.replaced');
    expect(replaced?.details).toEqual({
      factorId: created.body.factor.id,
      type: 'sms',
      replacedFactorId: old.factorId,
    });
  });

  it('a verification of another factor cannot replace this one', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const old = await enrollSms(user);
    const answer = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: {
        type: 'sms',
        password: PASSWORD,
        phoneNumber: uniquePhone(),
        replaces: old.factorId,
        verification: { factorId: totp.factorId, code: appCode(totp.secret) },
      },
    });
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('verification_required');
  });
});

describe('removing factors and regenerating recovery codes', () => {
  it('removes a factor with an authenticator-code verification', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const sms = await enrollSms(user);
    const removed = await call('DELETE', `/v1/mfa/factors/${totp.factorId}`, {
      token: user.accessToken,
      body: { verification: { factorId: totp.factorId, code: appCode(totp.secret) } },
    });
    expect(removed.status).toBe(204);
    const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
    expect(listed.body.factors.map((f: { id: string }) => f.id)).toEqual([sms.factorId]);
    expect(listed.body.recoveryCodesRemaining).toBe(10);
    expect(await subjectsTo(user.email)).toContain(subject.removed);
    // Login no longer offers it, nor accepts its codes.
    const token = await mfaToken(user.email);
    const gone = await verify({
      mfaToken: token,
      factorId: totp.factorId,
      code: appCode(totp.secret, new Date(), 1),
    });
    expect(gone.body).toEqual(answers.notFound);
  });

  it('removing the last factor with a recovery code turns MFA off and drops the codes', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const codes = totp.recoveryCodes as string[];
    const removed = await call('DELETE', `/v1/mfa/factors/${totp.factorId}`, {
      token: user.accessToken,
      body: { verification: { recoveryCode: codes[0] } },
    });
    expect(removed.status).toBe(204);
    expect((await call('GET', '/v1/mfa/factors', { token: user.accessToken })).body).toEqual({
      factors: [],
      recoveryCodesRemaining: 0,
      mfaEnabled: false,
    });
    expect((await logIn(user.email)).body.status).toBe('authenticated');
  });

  it('removing the last factor forgets remembered devices: after re-enrolling, an old deviceToken no longer skips MFA', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const remembered = await verify({
      mfaToken: await mfaToken(user.email),
      factorId: totp.factorId,
      code: appCode(totp.secret),
      rememberDevice: true,
    });
    expect(remembered.status).toBe(200);
    const { deviceToken } = remembered.body;
    expect(deviceToken).toEqual(expect.any(String));
    const withDevice = () =>
      call('POST', '/v1/sessions', { body: { email: user.email, password: PASSWORD, deviceToken } });
    expect((await withDevice()).body).toEqual({
      ...answers.authenticated,
      mfa: { enabled: true, suggested: false },
    });

    const removed = await call('DELETE', `/v1/mfa/factors/${totp.factorId}`, {
      token: user.accessToken,
      body: { verification: { recoveryCode: totp.recoveryCodes?.[0] } },
    });
    expect(removed.status).toBe(204);
    const devices = await call('GET', '/v1/mfa/devices', { token: user.accessToken });
    expect(devices.body).toEqual({ devices: [] });

    // A factor enrolled later is asked for, whatever device the login comes from.
    const again = await enrollTotp(user);
    const login = await withDevice();
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ status: 'mfa_required', mfaToken: expect.any(String) });
    expect(login.body.factors.map((f: { id: string }) => f.id)).toEqual([again.factorId]);
  });

  it('abandoning a pending factor needs no verification', async () => {
    const user = await account();
    await enrollTotp(user);
    const pending = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'totp', password: PASSWORD },
    });
    const removed = await call('DELETE', `/v1/mfa/factors/${pending.body.factor.id}`, {
      token: user.accessToken,
      body: {},
    });
    expect(removed.status).toBe(204);
    expect((await call('GET', '/v1/mfa/factors', { token: user.accessToken })).body.factors).toHaveLength(1);
  });

  it('regenerating recovery codes voids the old ones', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const old = totp.recoveryCodes as string[];
    const regenerated = await call('POST', '/v1/mfa/recovery-codes', {
      token: user.accessToken,
      body: { verification: { factorId: totp.factorId, code: appCode(totp.secret) } },
    });
    expect(regenerated.status).toBe(201);
    expect(regenerated.body).toEqual({ recoveryCodes: expect.any(Array) });
    const fresh: string[] = regenerated.body.recoveryCodes;
    expect(fresh).toHaveLength(10);
    for (const code of fresh) expect(code).toMatch(RECOVERY_CODE);
    expect(fresh.filter((code) => old.includes(code))).toEqual([]);

    const withOld = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: await mfaToken(user.email), recoveryCode: old[1] },
    });
    // Refused as a code of the replaced set (known as spent, so no failure is counted).
    expect(withOld.body).toEqual(answers.alreadyUsed);
    const withNew = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: await mfaToken(user.email), recoveryCode: fresh[1] },
    });
    expect(withNew.body).toEqual({ ...answers.authenticated, recoveryCodesRemaining: 9 });

    // A recovery code can be the verification too; it is used up with the set it belongs to.
    const byCode = await call('POST', '/v1/mfa/recovery-codes', {
      token: user.accessToken,
      body: { verification: { recoveryCode: fresh[2] } },
    });
    expect(byCode.status).toBe(201);
    const reuse = await call('POST', '/v1/mfa/recovery-codes', {
      token: user.accessToken,
      body: { verification: { recoveryCode: fresh[2] } },
    });
    expect(reuse.body).toEqual(answers.alreadyUsed);
  });
});

describe('limits', () => {
  it('at most 5 active factors: the sixth is 409 factor_limit_reached', async () => {
    const user = await account();
    for (let i = 0; i < 5; i++) await enrollTotp(user);
    for (const body of [
      { type: 'totp', password: PASSWORD },
      { type: 'sms', password: PASSWORD, phoneNumber: uniquePhone() },
    ]) {
      const sixth = await call('POST', '/v1/mfa/factors', { token: user.accessToken, body });
      expect(sixth.status).toBe(409);
      expect(sixth.body).toEqual({
        error: { code: 'factor_limit_reached', message: 'The maximum number of factors is reached.' },
      });
    }
    const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
    expect(listed.body.factors).toHaveLength(5);
  });

  it('a pending factor expires after 15 minutes: not listed, not found, cannot be activated', async () => {
    const user = await account();
    const created = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'totp', password: PASSWORD },
    });
    const factorId = created.body.factor.id;
    const factor = await getFactor(user.userId, factorId);
    expect(factor).toMatchObject({ status: 'pending', expiresAt: expect.any(String) });
    const expiresAt = Date.parse(factor?.expiresAt as string);
    expect(Math.abs(expiresAt - (Date.parse(created.body.factor.createdAt) + 15 * 60_000))).toBeLessThan(
      5_000,
    );

    // Every read checks `expiresAt` itself (TTL is housekeeping): with the clock past it, gone.
    const later = new Date(expiresAt + 1000);
    expect(await getFactor(user.userId, factorId, later)).toBeUndefined();
    expect(await listFactors(user.userId, later)).toEqual([]);
    // And the activating write's own condition refuses it.
    await expect(
      transact([activateFactor(factor as NonNullable<typeof factor>, later, 1)], () => new Error('expired')),
    ).rejects.toThrow('expired');
  });
});

describe('security emails', () => {
  it('every factor change and recovery-code event emails the account owner, without codes; a pending factor does not', async () => {
    const user = await account();
    const sms = await enrollSms(user); // activated (created pending: no email)
    const sent = await call('POST', `/v1/mfa/factors/${sms.factorId}/codes`, { token: user.accessToken });
    const proof = await smsCode(sms.phone);
    const newPhone = uniquePhone();
    const created = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: {
        type: 'sms',
        password: PASSWORD,
        phoneNumber: newPhone,
        replaces: sms.factorId,
        verification: { challengeId: sent.body.challengeId, code: proof },
      },
    }); // pending: no email
    const newCode = await smsCode(newPhone);
    await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
      token: user.accessToken,
      body: { code: newCode, challengeId: created.body.challengeId },
    }); // replaced
    const totp = await enrollTotp(user); // activated
    const regenerated = await call('POST', '/v1/mfa/recovery-codes', {
      token: user.accessToken,
      body: { verification: { factorId: totp.factorId, code: appCode(totp.secret) } },
    }); // regenerated
    const removal = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/codes`, {
      token: user.accessToken,
    });
    const removalCode = await smsCode(newPhone);
    expect(
      (
        await call('DELETE', `/v1/mfa/factors/${totp.factorId}`, {
          token: user.accessToken,
          body: { verification: { challengeId: removal.body.challengeId, code: removalCode } },
        })
      ).status,
    ).toBe(204); // removed
    const recoveryCode = regenerated.body.recoveryCodes[0];
    await call('POST', '/v1/mfa/recover', { body: { mfaToken: await mfaToken(user.email), recoveryCode } }); // used

    expect(await subjectsTo(user.email)).toEqual([
      SIGNUP_CODE_SUBJECT,
      subject.activated,
      subject.replaced,
      subject.activated,
      subject.regenerated,
      subject.removed,
      subject.used,
    ]);
    // Each names the factor by its label.
    const texts = (await emailsTo(user.email)).map((mail) => mail.Body.text_part);
    expect(texts[1]).toContain(`Your phone "Phone" (+*******${sms.phone.slice(-4)}, codes by text message)`);
    expect(texts[3]).toContain('Your authenticator app "Authenticator app" was confirmed');
    const bodies = (await emailsTo(user.email))
      .map((mail) => `${mail.Subject}\n${mail.Body.text_part}`)
      .join('\n');
    for (const secret of [proof, newCode, removalCode, recoveryCode, totp.secret, sms.phone, newPhone]) {
      expect(bodies).not.toContain(secret);
    }
    expect(bodies).toContain("If this wasn't you");
    expect(await lastSms(newPhone)).toContain(removalCode);
  });
});

describe('renaming a factor (PATCH /v1/mfa/factors/{factorId})', () => {
  it('an active one: the owner is emailed from which name to which; the factor.added of a new one is logged, not emailed', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const renamed = await call('PATCH', `/v1/mfa/factors/${totp.factorId}`, {
      token: user.accessToken,
      body: { label: 'Work phone' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.factor).toMatchObject({ id: totp.factorId, label: 'Work phone' });
    const again = await call('PATCH', `/v1/mfa/factors/${totp.factorId}`, {
      token: user.accessToken,
      body: { label: 'Personal phone' },
    });
    expect(again.status).toBe(200);

    expect(await subjectsTo(user.email)).toEqual([
      SIGNUP_CODE_SUBJECT,
      subject.activated,
      subject.renamed,
      subject.renamed,
    ]);
    const [first, second] = (await emailsTo(user.email)).slice(2).map((mail) => mail.Body.text_part);
    expect(first).toContain('Your authenticator app "Authenticator app" was renamed to "Work phone".');
    expect(second).toContain('Your authenticator app "Work phone" was renamed to "Personal phone".');
    expect(second).toContain('Names in quotes are the ones given to sign-in methods in your account');
    const types = (await allEvents(user.accessToken)).map((event) => event.type);
    expect(types).toContain('factor.added');
  });

  it('a pending one: renamed, and nobody is emailed (it is still being set up)', async () => {
    const user = await account();
    const created = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'totp', password: PASSWORD },
    });
    const renamed = await call('PATCH', `/v1/mfa/factors/${created.body.factor.id}`, {
      token: user.accessToken,
      body: { label: 'Tablet' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.factor).toMatchObject({ status: 'pending', label: 'Tablet' });
    expect(await subjectsTo(user.email)).toEqual([SIGNUP_CODE_SUBJECT]);
  });

  it('a hostile label reaches the email only as plain words in quotes', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const label = 'X". Locked: call now <a href=x>now</a>';
    const renamed = await call('PATCH', `/v1/mfa/factors/${totp.factorId}`, {
      token: user.accessToken,
      body: { label },
    });
    expect(renamed.body.factor.label).toBe(label); // the API gives the user's own text back
    const [mail] = (await emailsTo(user.email)).filter((m) => m.Subject === subject.renamed);
    expect(mail?.Body.text_part).toContain('was renamed to "X . Locked  call now  a href x now  a "');
    expect(mail?.Body.text_part).not.toContain('<a');
  });

  it.each([
    ['a web address (a link in a genuine email)', 'verify at www.evil-login.com now'],
    ['a bare domain', 'go to evil.example fix'],
    ['a scheme', 'see https x'.replace(' x', '://x')],
    ['a right-to-left override (it reverses the page text after it)', 'Phone \u202e'],
    ['a zero-width space', 'Pho\u200bne'],
    ['a control character', 'Phone\u0007'],
    ['a lone surrogate', 'a\ud800b'],
    ['a pile of combining accents', `e${'\u0301'.repeat(6)}`],
  ])(
    'injection: a label with %s is refused, at enrollment and rename, and nothing changes',
    async (_, label) => {
      const user = await account();
      const totp = await enrollTotp(user);
      const renamed = await call('PATCH', `/v1/mfa/factors/${totp.factorId}`, {
        token: user.accessToken,
        body: { label },
      });
      expect(renamed.status).toBe(400);
      expect(renamed.body.error.code).toBe('invalid_request');
      const created = await call('POST', '/v1/mfa/factors', {
        token: user.accessToken,
        body: { type: 'totp', password: PASSWORD, label },
      });
      expect(created.status).toBe(400);
      const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
      expect(listed.body.factors.map((factor: { label: string }) => factor.label)).toEqual([
        'Authenticator app',
      ]);
      expect(await subjectsTo(user.email)).not.toContain(subject.renamed);
    },
  );

  it('an emoji label is kept, in NFC, and the email shows it; the rename is in the security activity', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const family = '\u{1f468}\u200d\u{1f469}\u200d\u{1f467} phone';
    const renamed = await call('PATCH', `/v1/mfa/factors/${totp.factorId}`, {
      token: user.accessToken,
      body: { label: 'Cafe\u0301 phone' },
    });
    expect(renamed.body.factor.label).toBe('Caf\u00e9 phone');
    const again = await call('PATCH', `/v1/mfa/factors/${totp.factorId}`, {
      token: user.accessToken,
      body: { label: family },
    });
    expect(again.body.factor.label).toBe(family);
    const texts = (await emailsTo(user.email)).map((mail) => mail.Body.text_part);
    expect(texts.at(-1)).toContain(`was renamed to "${family}".`);
    const renames = (await allEvents(user.accessToken)).filter((event) => event.type === 'factor.renamed');
    expect(renames.map((event) => event.details)).toEqual([
      { factorId: totp.factorId, type: 'totp', from: 'Caf\u00e9 phone', to: family },
      { factorId: totp.factorId, type: 'totp', from: 'Authenticator app', to: 'Caf\u00e9 phone' },
    ]);
  });
});
