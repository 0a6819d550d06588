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
  it('keeps a name as given when it is already canonical', () => {
    expect(parseText('Joint graphite reserve', 'name')).toBe('Joint graphite reserve');
  });

  it('trims surrounding spaces and stores the NFC form', () => {
    expect(parseText('  padded  ', 'name')).toBe('padded');
    // "é" as e + combining acute (NFD) becomes the single code point U+00E9
    expect(parseText('Be\u0301cancour', 'name')).toBe('B\u00e9cancour');
  });

  it('accepts up to 200 characters, counted as code points, and refuses more as out of range', () => {
    expect(parseText('x'.repeat(200), 'name')).toHaveLength(200);
    expect(parseText('😀'.repeat(200), 'name')).toHaveLength(400);
    const error = refusal(() => parseText('x'.repeat(201), 'name'));
    expect(error.code).toBe('out-of-range');
    expect(error.field).toBe('name');
  });

  it.each([['tab\there'], ['line\nbreak'], ['nul\u0000'], ['del\u007f'], ['c1\u0085'], ['lone \ud800']])(
    'refuses control characters and lone surrogates: %j',
    (input) => {
      const error = refusal(() => parseText(input, 'location'));
      expect(error.code).toBe('validation-failed');
      expect(error.field).toBe('location');
    },
  );

  it.each([[''], ['   '], [5], [null], [undefined], [['name']]])('refuses %p', (input) => {
    const error = refusal(() => parseText(input, 'custodian'));
    expect(error.code).toBe('validation-failed');
    expect(error.field).toBe('custodian');
  });
});
