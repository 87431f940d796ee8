/**
 * `GET /v1/config`: the public settings a client (the demo page, a help centre) adapts to, with
 * no sign-in, cacheable. Each value is the one the service enforces, not a copy that can drift:
 * the answer is held to config() and the password policy, and a few are tried against the API.
 */
import { describe, expect, it } from 'vitest';
import { MAX_CODE_POINTS, MIN_CODE_POINTS } from '../../shared/auth/password-policy.ts';
import { config } from '../../shared/config.ts';
import { call, uniqueEmail } from '../support/api.ts';

describe('GET /v1/config', () => {
  it('answers the settings in force, without a token, cacheable for 5 minutes', async () => {
    const answer = await call('GET', '/v1/config');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      smsCountries: [...config().smsAllowedCountries].sort(),
      factorTypes: ['totp', 'sms', 'email'],
      passwordMinLength: 15,
      passwordMaxLength: 128,
      codeLength: 6,
      codeTtlSeconds: config().codeTtlSeconds,
      maxActiveFactors: config().maxActiveFactors,
      recoveryCodeCount: config().recoveryCodeCount,
      rememberDeviceMaxDays: 90,
    });
    expect(answer.body.passwordMinLength).toBe(MIN_CODE_POINTS);
    expect(answer.body.passwordMaxLength).toBe(MAX_CODE_POINTS);
    expect(answer.body.smsCountries.length).toBeGreaterThan(0);
    expect(answer.headers.get('cache-control')).toBe('public, max-age=300');
  });

  it('ignores any credential: a garbage bearer token still gets the same public answer', async () => {
    const plain = await call('GET', '/v1/config');
    const withJunk = await call('GET', '/v1/config', { headers: { authorization: 'Bearer not-a-token' } });
    expect(withJunk.status).toBe(200);
    expect(withJunk.body).toEqual(plain.body);
  });

  it('says Vary: Origin beside the CORS header, so a shared cache never hands one origin another one’s answer', async () => {
    const origin = config().corsAllowedOrigins[0] as string;
    const answer = await call('GET', '/v1/config', { headers: { origin } });
    expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
    expect(answer.headers.get('vary')).toBe('Origin');
  });

  it('its password lengths are the ones sign-up enforces (one code point less or more is refused)', async () => {
    const { passwordMinLength, passwordMaxLength } = (await call('GET', '/v1/config')).body;
    const words = 'vH8#qL2!zR5@mT9$wK4&nP6%bX3^';
    const tooShort = await call('POST', '/v1/users', {
      body: { email: uniqueEmail(), password: words.slice(0, passwordMinLength - 1) },
    });
    expect(tooShort.body.error).toMatchObject({ code: 'password_too_weak', reason: 'too_short' });
    const tooLong = await call('POST', '/v1/users', {
      body: { email: uniqueEmail(), password: words.repeat(10).slice(0, passwordMaxLength + 1) },
    });
    expect(tooLong.body.error).toMatchObject({ code: 'password_too_weak', reason: 'too_long' });
    const justRight = await call('POST', '/v1/users', {
      body: { email: uniqueEmail(), password: words.slice(0, passwordMinLength) },
    });
    expect(justRight.status).toBe(202);
  });
});
