/**
 * Countries for phone numbers: ISO 3166-1 alpha-2 and the calling code shown to people. The
 * server validates the number for the country and checks its SMS allow-list
 * (`SMS_ALLOWED_COUNTRIES`), so a country here may still answer `country_not_allowed`.
 */
export const countries: readonly { code: string; name: string; dial: string }[] = [
  { code: 'AU', name: 'Australia', dial: '+61' },
  { code: 'AT', name: 'Austria', dial: '+43' },
  { code: 'BE', name: 'Belgium', dial: '+32' },
  { code: 'CA', name: 'Canada', dial: '+1' },
  { code: 'DK', name: 'Denmark', dial: '+45' },
  { code: 'FI', name: 'Finland', dial: '+358' },
  { code: 'FR', name: 'France', dial: '+33' },
  { code: 'DE', name: 'Germany', dial: '+49' },
  { code: 'IE', name: 'Ireland', dial: '+353' },
  { code: 'IT', name: 'Italy', dial: '+39' },
  { code: 'LU', name: 'Luxembourg', dial: '+352' },
  { code: 'NL', name: 'Netherlands', dial: '+31' },
  { code: 'NZ', name: 'New Zealand', dial: '+64' },
  { code: 'NO', name: 'Norway', dial: '+47' },
  { code: 'PL', name: 'Poland', dial: '+48' },
  { code: 'PT', name: 'Portugal', dial: '+351' },
  { code: 'ES', name: 'Spain', dial: '+34' },
  { code: 'SE', name: 'Sweden', dial: '+46' },
  { code: 'CH', name: 'Switzerland', dial: '+41' },
  { code: 'GB', name: 'United Kingdom', dial: '+44' },
  { code: 'US', name: 'United States', dial: '+1' },
];

/** The browser's region (`en-GB` → GB) when it is in the list; the Netherlands otherwise. */
export function defaultCountry(): string {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const region = /-([A-Z]{2})\b/.exec(tag)?.[1];
    if (region && countries.some((country) => country.code === region)) return region;
  }
  return 'NL';
}
