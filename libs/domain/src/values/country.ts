import { invalidValue } from '../shared/domain-error';
import { COUNTRY_CODES } from './country-codes';

/** An ISO 3166-1 alpha-2 code, checked against the assigned list (so "XX" and "jp" are refused). */
export type Country = string & { readonly __brand: 'Country' };

export function parseCountry(input: unknown, field = 'country'): Country {
  if (typeof input !== 'string' || !COUNTRY_CODES.has(input)) {
    throw invalidValue(field, `${field} must be an ISO 3166-1 alpha-2 country code such as "JP"`);
  }
  return input as Country;
}

export const isCountry = (input: unknown): input is Country =>
  typeof input === 'string' && COUNTRY_CODES.has(input);
