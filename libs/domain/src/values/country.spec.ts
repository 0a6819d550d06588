import { refusal } from '../testing/refusal';
import { isCountry, parseCountry } from './country';
import { COUNTRY_CODES } from './country-codes';

describe('Country', () => {
  it.each([['JP'], ['CA'], ['CN'], ['US'], ['KR'], ['MG'], ['MZ'], ['BR'], ['TW'], ['HK'], ['AX'], ['ZW']])(
    'accepts the assigned code %p',
    (code) => {
      expect(parseCountry(code)).toBe(code);
      expect(isCountry(code)).toBe(true);
    },
  );

  it.each([
    ['a lower-case code', 'jp'],
    ['a mixed-case code', 'Jp'],
    ['an unassigned code', 'XX'],
    ['an alpha-3 code', 'JPN'],
    ['a numeric code', '392'],
    ['the reserved code UK', 'UK'],
    ['the reserved code EU', 'EU'],
    ['the user-assigned code XK', 'XK'],
    ['a deleted code (Yugoslavia)', 'YU'],
    ['a padded code', ' JP'],
    ['an empty string', ''],
    ['a number', 392],
    ['null', null],
    ['a missing value', undefined],
  ])('refuses %s', (_description, input) => {
    const error = refusal(() => parseCountry(input));
    expect(error.code).toBe('validation-failed');
    expect(error.kind).toBe('invalid');
    expect(error.field).toBe('country');
    expect(isCountry(input)).toBe(false);
  });

  it('reports errors under the field name it was given', () => {
    expect(refusal(() => parseCountry('jp', 'participants[1].country')).field).toBe(
      'participants[1].country',
    );
  });

  it('knows all 249 officially assigned ISO 3166-1 alpha-2 codes', () => {
    expect(COUNTRY_CODES.size).toBe(249);
    for (const code of COUNTRY_CODES) expect(code).toMatch(/^[A-Z]{2}$/);
  });
});
