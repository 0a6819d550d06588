import { refusal } from '../testing/refusal';
import { CLIENT_ID_PATTERN, parseEntityId, parseText } from './identifiers';

describe('client ids', () => {
  it('use the pattern the API documents', () => {
    expect(CLIENT_ID_PATTERN.source).toBe('^[a-z0-9][a-z0-9-]{0,63}$');
  });

  it.each([
    ['a single letter', 'a'],
    ['a single digit', '7'],
    ['a dashed id', 'nmg-becancour'],
    ['an id starting with a digit', '2026-lot-17'],
    ['an id ending with a dash', 'lot-'],
    ['a UUID in lower case', '018f0000-0000-7000-8000-000000000001'],
    ['an id of exactly 64 characters', `a${'b'.repeat(63)}`],
  ])('accepts %s', (_description, id) => {
    expect(parseEntityId(id, 'id')).toBe(id);
  });

  it.each([
    ['an id of 65 characters', `a${'b'.repeat(64)}`],
    ['an empty id', ''],
    ['a leading dash', '-lot'],
    ['upper-case letters', 'Lot-1'],
    ['an upper-case UUID', '018F0000-0000-7000-8000-000000000001'],
    ['an underscore', 'lot_1'],
    ['a dot', 'lot.1'],
    ['a slash', 'lot/1'],
    ['a space', 'lot 1'],
    ['a trailing newline', 'lot-1\n'],
    ['an accented letter', 'lot-é'],
    ['a number', 5],
    ['null', null],
    ['a missing value', undefined],
  ])('refuses %s', (_description, id) => {
    const error = refusal(() => parseEntityId(id, 'lotId'));
    expect(error.code).toBe('validation-failed');
    expect(error.kind).toBe('invalid');
    expect(error.field).toBe('lotId');
  });
});

describe('free text', () => {
  it('accepts a non-blank string as it is', () => {
    expect(parseText('Joint graphite reserve', 'name')).toBe('Joint graphite reserve');
    expect(parseText('  padded  ', 'name')).toBe('  padded  ');
  });

  it('accepts up to 200 characters by default', () => {
    expect(parseText('x'.repeat(200), 'name')).toHaveLength(200);
    const error = refusal(() => parseText('x'.repeat(201), 'name'));
    expect(error.code).toBe('validation-failed');
    expect(error.field).toBe('name');
  });

  it('honours a different maximum length', () => {
    expect(parseText('x'.repeat(10), 'ref', 10)).toHaveLength(10);
    expect(refusal(() => parseText('x'.repeat(11), 'ref', 10)).field).toBe('ref');
  });

  it.each([[''], ['   '], ['\t\n'], [5], [null], [undefined], [['name']]])('refuses %p', (input) => {
    const error = refusal(() => parseText(input, 'custodian'));
    expect(error.code).toBe('validation-failed');
    expect(error.field).toBe('custodian');
  });
});
