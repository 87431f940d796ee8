import { api } from './api.ts';
import type { SiteConfig } from './types.ts';

/**
 * Countries for phone numbers: exactly those the service texts (`GET /v1/config`, its SMS
 * allow-list), named in the browser's language. A list of its own would offer countries the
 * server then refuses.
 */
export interface Country {
  code: string;
  name: string;
  /** The calling code shown beside the name; absent for a country missing from the table below. */
  dial?: string;
}

// Calling codes (ITU-T E.164 assignments) of the countries deployments commonly allow; the
// server parses the number whatever this says, so a missing entry only hides the "+NN" hint.
const dial: Record<string, string> = {
  AD: '+376',
  AE: '+971',
  AR: '+54',
  AT: '+43',
  AU: '+61',
  BE: '+32',
  BG: '+359',
  BR: '+55',
  CA: '+1',
  CH: '+41',
  CL: '+56',
  CN: '+86',
  CO: '+57',
  CY: '+357',
  CZ: '+420',
  DE: '+49',
  DK: '+45',
  EE: '+372',
  EG: '+20',
  ES: '+34',
  FI: '+358',
  FR: '+33',
  GB: '+44',
  GG: '+44',
  GR: '+30',
  HK: '+852',
  HR: '+385',
  HU: '+36',
  ID: '+62',
  IE: '+353',
  IL: '+972',
  IM: '+44',
  IN: '+91',
  IS: '+354',
  IT: '+39',
  JE: '+44',
  JP: '+81',
  KR: '+82',
  LI: '+423',
  LT: '+370',
  LU: '+352',
  LV: '+371',
  MA: '+212',
  MC: '+377',
  MT: '+356',
  MX: '+52',
  MY: '+60',
  NG: '+234',
  NL: '+31',
  NO: '+47',
  NZ: '+64',
  PE: '+51',
  PH: '+63',
  PL: '+48',
  PT: '+351',
  RO: '+40',
  RS: '+381',
  SA: '+966',
  SE: '+46',
  SG: '+65',
  SI: '+386',
  SK: '+421',
  TH: '+66',
  TR: '+90',
  TW: '+886',
  UA: '+380',
  US: '+1',
  VN: '+84',
  ZA: '+27',
};

let loaded: Promise<SiteConfig> | undefined;

/** The public settings, read once per page load (the answer is cacheable). */
export function siteConfig(): Promise<SiteConfig> {
  loaded ??= api<SiteConfig>('GET', '/v1/config', undefined, { auth: false }).catch((error) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}

/** The browser's region (`en-GB` → GB), if its languages say one. */
function browserRegion(): string | undefined {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const region = /-([A-Z]{2})\b/.exec(tag)?.[1];
    if (region) return region;
  }
  return undefined;
}

/** The allowed countries by name, the browser's own first when it is among them. */
export async function smsCountries(): Promise<{ countries: Country[]; preferred: string | undefined }> {
  const { smsCountries: codes } = await siteConfig();
  const names = new Intl.DisplayNames(navigator.languages ?? [navigator.language], { type: 'region' });
  const region = browserRegion();
  const countries = codes
    .map((code) => ({ code, name: names.of(code) ?? code, ...(dial[code] ? { dial: dial[code] } : {}) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const own = countries.findIndex((country) => country.code === region);
  if (own > 0) countries.unshift(...countries.splice(own, 1));
  return { countries, preferred: own >= 0 ? region : undefined };
}
