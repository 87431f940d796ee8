// `max` metadata: only it knows number types (getType), which is what tells a mobile number from a
// premium-rate, toll-free, shared-cost or fixed line (`min` validates and resolves the country
// alike, but would accept all of those). +72 KiB minified, in the one bundle that parses numbers;
// the package is side-effect free, so bundles that only mask (templates) drop it entirely.
import {
  type CountryCode,
  isSupportedCountry,
  type NumberType,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import { config } from '../config.ts';
import { ApiError } from '../http/errors.ts';

// libphonenumber is lenient: it drops trailing letters ("+316…a"), reads extensions ("x12", ";ext=")
// and `tel:` prefixes, and accepts full-width digits. Only what people type in a phone field passes:
// ASCII digits, an optional leading '+', spaces, dashes, dots and parentheses.
const TYPED = /^\+?[0-9 ().-]{1,30}$/;
const COUNTRY = /^[A-Za-z]{2}$/;

// Numbers that receive SMS: mobiles, and numbers the plan cannot tell from mobiles (NANP). A
// premium-rate or shared-cost number is how SMS pumping earns money (a cut of each text to it);
// toll-free, UAN, pager, voicemail, personal and VoIP numbers and landlines do not get texts, or
// not reliably, and a code that never arrives locks the user out.
const RECEIVES_SMS: ReadonlySet<NumberType> = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

/**
 * Validates a phone number and normalises it to E.164. The allow-list is checked against the country
 * the NUMBER belongs to (a `+1…` number given with country NL is judged as US or CA), because that is
 * where SNS sends it and what it costs.
 */
export function normalisePhoneNumber(input: { phoneNumber: string; country?: string }): {
  e164: string;
  country: string;
} {
  const invalid = () => new ApiError('invalid_phone_number');
  const text = input.phoneNumber.trim();
  if (!TYPED.test(text)) throw invalid();
  let country: CountryCode | undefined;
  if (input.country !== undefined) {
    const code = input.country.toUpperCase();
    if (!COUNTRY.test(code) || !isSupportedCountry(code)) throw invalid();
    country = code;
  }
  // Without '+' and without a country the number is national digits of an unknown country: undefined.
  const parsed = parsePhoneNumberFromString(text, country);
  if (!parsed?.isValid()) throw invalid();
  // Non-geographic codes (+800, +882, …) have no country, so they can never be on the allow-list.
  if (!parsed.country || !config().smsAllowedCountries.includes(parsed.country)) {
    throw new ApiError('country_not_allowed');
  }
  const type = parsed.getType();
  if (!type || !RECEIVES_SMS.has(type))
    throw new ApiError('phone_number_not_mobile', {
      extra: { numberType: (type ?? 'unknown').toLowerCase() },
    });
  return { e164: parsed.number, country: parsed.country };
}

/** API.md: `+*******4567`, one '*' per hidden digit; the whole number stays hidden if it is that short. */
export function maskPhone(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  const shown = digits.length > 4 ? digits.slice(-4) : '';
  return `+${'*'.repeat(digits.length - shown.length)}${shown}`;
}

/**
 * `c***e@example.com`: the first and last character of the local part and the whole domain, so
 * two addresses of one domain (chris@ → carol@) look different in a list or a "changed from … to
 * …" email. A local part of one or two characters shows only its first (else it would be shown
 * whole). By code point, so a non-BMP character is not cut in half; a fixed '***' so the mask does
 * not reveal the local part's length.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 0) return '***';
  const local = Array.from(email.slice(0, at));
  const first = local[0] ?? '';
  const last = local.length > 2 ? local[local.length - 1] : '';
  return `${first}***${last}${email.slice(at)}`;
}
