import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/http/errors.ts';
import { maskEmail, maskPhone, normalisePhoneNumber } from '../../shared/mfa/phone.ts';

// Set before the first config() call (config is read lazily, once); JP is deliberately absent.
process.env.SMS_ALLOWED_COUNTRIES = 'NL,GB,US,DE,FR,BE,IE,ES,IT,CA,AU';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof ApiError ? error.code : `not an ApiError: ${String(error)}`;
  }
  return undefined;
}

describe('normalisePhoneNumber', () => {
  it.each([
    { desc: 'E.164', phoneNumber: '+31612345678', country: undefined, e164: '+31612345678', cc: 'NL' },
    { desc: 'NL mobile, national', phoneNumber: '0612345678', country: 'NL', e164: '+31612345678', cc: 'NL' },
    { desc: 'NL with a dash', phoneNumber: '06-12345678', country: 'NL', e164: '+31612345678', cc: 'NL' },
    {
      desc: 'E.164 with spaces',
      phoneNumber: '+31 6 1234 5678',
      country: undefined,
      e164: '+31612345678',
      cc: 'NL',
    },
    {
      desc: 'GB mobile, national',
      phoneNumber: '07400 123456',
      country: 'GB',
      e164: '+447400123456',
      cc: 'GB',
    },
    { desc: 'US, national', phoneNumber: '(201) 555-0123', country: 'US', e164: '+12015550123', cc: 'US' },
    { desc: 'US with dots', phoneNumber: '201.555.0123', country: 'us', e164: '+12015550123', cc: 'US' },
    { desc: 'CA, E.164', phoneNumber: '+1 416 555 0123', country: undefined, e164: '+14165550123', cc: 'CA' },
    { desc: 'DE mobile', phoneNumber: '01512 3456789', country: 'DE', e164: '+4915123456789', cc: 'DE' },
    // The number decides the country, not the `country` field: +1 with NL is a US number.
    {
      desc: '+1 given with NL',
      phoneNumber: '+1 201 555 0123',
      country: 'NL',
      e164: '+12015550123',
      cc: 'US',
    },
  ])('accepts $desc', ({ phoneNumber, country, e164, cc }) => {
    expect(normalisePhoneNumber({ phoneNumber, ...(country ? { country } : {}) })).toEqual({
      e164,
      country: cc,
    });
  });

  it.each([
    { desc: 'letters', phoneNumber: 'call me', country: 'NL' },
    {
      desc: 'trailing letters (libphonenumber would drop them)',
      phoneNumber: '+31612345678a',
      country: undefined,
    },
    { desc: 'an extension', phoneNumber: '+31612345678x12', country: undefined },
    { desc: 'a tel: URI', phoneNumber: 'tel:+31612345678', country: undefined },
    { desc: 'full-width digits', phoneNumber: '＋３１６１２３４５６７８', country: undefined },
    { desc: 'empty', phoneNumber: '', country: 'NL' },
    { desc: 'only spaces', phoneNumber: '   ', country: 'NL' },
    { desc: 'too short', phoneNumber: '+3161234', country: undefined },
    { desc: 'too long', phoneNumber: '+3161234567890', country: undefined },
    { desc: 'more than 15 digits', phoneNumber: '+3161234567890123456', country: undefined },
    { desc: 'national digits without a country', phoneNumber: '0612345678', country: undefined },
    { desc: 'an unknown country', phoneNumber: '0612345678', country: 'XX' },
    { desc: 'a country that is not alpha-2', phoneNumber: '0612345678', country: 'NLD' },
    { desc: 'an unassigned NANP number', phoneNumber: '+15555550100', country: undefined },
    // Ofcom keeps 07700 900000–900999 for TV drama: never assigned, so never deliverable.
    { desc: 'the GB drama range', phoneNumber: '07700 900123', country: 'GB' },
  ])('rejects $desc with invalid_phone_number', ({ phoneNumber, country }) => {
    expect(codeOf(() => normalisePhoneNumber({ phoneNumber, ...(country ? { country } : {}) }))).toBe(
      'invalid_phone_number',
    );
  });

  it.each([
    { desc: 'JP mobile, national', phoneNumber: '090-1234-5678', country: 'JP' },
    { desc: 'JP mobile, E.164 claimed as NL', phoneNumber: '+81 90 1234 5678', country: 'NL' },
    // Guernsey shares +44 but is its own country for SNS pricing and for the allow-list.
    { desc: 'a Guernsey number', phoneNumber: '+44 7911 123456', country: 'GB' },
    { desc: 'a non-geographic number', phoneNumber: '+800 1234 5678', country: undefined },
  ])('rejects $desc with country_not_allowed', ({ phoneNumber, country }) => {
    expect(codeOf(() => normalisePhoneNumber({ phoneNumber, ...(country ? { country } : {}) }))).toBe(
      'country_not_allowed',
    );
  });
});

describe('only numbers that receive SMS (SMS pumping: premium and shared-cost numbers earn per text)', () => {
  it.each([
    ['GB', '09098 790000', 'premium_rate'],
    ['GB', '0871 234 5678', 'premium_rate'],
    ['GB', '0845 123 4567', 'premium_rate'],
    ['GB', '0800 123 4567', 'toll_free'],
    ['GB', '0700 123 4567', 'personal_number'],
    ['GB', '0207 123 4567', 'fixed_line'],
    ['NL', '0900 1234567', 'premium_rate'],
    ['NL', '0800 1234567', 'toll_free'],
    ['NL', '088 123 4567', 'uan'],
    ['NL', '085 123 4567', 'voip'],
    ['NL', '020 123 4567', 'fixed_line'],
    ['DE', '0900 1234567', 'premium_rate'],
    ['DE', '0180 1234567', 'shared_cost'],
    ['DE', '0800 1234567', 'toll_free'],
    ['DE', '0700 12345678', 'personal_number'],
    ['DE', '030 12345678', 'fixed_line'],
    ['US', '1-900-555-0123', 'premium_rate'],
    ['US', '800-555-0123', 'toll_free'],
    ['US', '+1 888 555 0123', 'toll_free'],
  ])('%s %s (%s) → 400 phone_number_not_mobile', (country, phoneNumber, numberType) => {
    let caught: unknown;
    try {
      normalisePhoneNumber({ phoneNumber, country });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect(caught).toMatchObject({ code: 'phone_number_not_mobile', extra: { numberType } });
  });

  it.each([
    ['NL', '12345'],
    ['DE', '12345'],
    ['GB', '12345'],
    ['US', '12345'],
    ['US', '555-0123'],
  ])('%s %s is too short: invalid_phone_number', (country, phoneNumber) => {
    expect(codeOf(() => normalisePhoneNumber({ phoneNumber, country }))).toBe('invalid_phone_number');
  });
});

describe('masking (API.md)', () => {
  it.each([
    ['+31612345678', '+*******5678'],
    ['+12015554567', '+*******4567'],
    ['+447400123456', '+********3456'],
  ])('maskPhone(%s) is %s', (e164, masked) => {
    expect(maskPhone(e164)).toBe(masked);
  });

  it.each([
    ['jane@example.com', 'j***e@example.com'],
    ['jo@example.com', 'j***@example.com'],
    ['j@example.com', 'j***@example.com'],
    ['john.doe+mfa@example.com', 'j***a@example.com'],
    ['"a@b"@example.com', '"***"@example.com'],
    // By code point: an emoji is one character, never half of a surrogate pair.
    ['😀x@example.com', '😀***@example.com'],
    ['x😀y😀@example.com', 'x***😀@example.com'],
    ['@example.com', '***@example.com'],
  ])('maskEmail(%s) is %s', (email, masked) => {
    expect(maskEmail(email)).toBe(masked);
  });

  it('tells two addresses of one domain apart (chris@ → carol@), and never shows a short local part whole', () => {
    expect(maskEmail('chris@example.com')).toBe('c***s@example.com');
    expect(maskEmail('carol@example.com')).toBe('c***l@example.com');
    expect(maskEmail('ab@example.com')).not.toContain('b@');
  });

  it('is the same whatever the length of the local part beyond two: the mask hides the length', () => {
    expect(maskEmail('abc@example.com')).toBe('a***c@example.com');
    expect(maskEmail(`a${'x'.repeat(60)}c@example.com`)).toBe('a***c@example.com');
  });
});
