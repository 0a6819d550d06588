import { canonicalJson } from './canonical-json';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('orders keys as code units, not as locale or code points', () => {
    // U+20AC (€) sorts after U+00E9 (é); a surrogate pair (U+1F600, 0xD83D...) sorts before U+FB33 in UTF-16
    expect(canonicalJson({ '€': 1, é: 2, דּ: 3, '😀': 4, Z: 5, a: 6 })).toBe(
      '{"Z":5,"a":6,"é":2,"€":1,"😀":4,"דּ":3}',
    );
  });

  it('gives the same bytes whether or not the keys already were in order', () => {
    const sorted = { amount: '1.5', material: 'gallium', nested: { a: ['x', 'y'], b: false } };
    const shuffled = { nested: { b: false, a: ['x', 'y'] }, material: 'gallium', amount: '1.5' };
    expect(canonicalJson(sorted)).toBe(canonicalJson(shuffled));
    expect(canonicalJson(sorted)).toBe(JSON.stringify(sorted));
  });

  it('sorts integer-like keys as strings, although JavaScript objects iterate them numerically', () => {
    expect(canonicalJson({ 9: 'nine', 10: 'ten', a: 'a' })).toBe('{"10":"ten","9":"nine","a":"a"}');
  });

  it('omits undefined members, writes undefined array items as null and bigints as strings', () => {
    expect(canonicalJson({ b: undefined, a: [undefined, 1n] })).toBe('{"a":[null,"1"]}');
  });

  it('escapes strings as JSON.stringify does', () => {
    expect(canonicalJson({ text: 'line\nbreak "quoted" \u0001' })).toBe(
      '{"text":"line\\nbreak \\"quoted\\" \\u0001"}',
    );
  });

  it('refuses values JCS cannot represent', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson(Infinity)).toThrow(TypeError);
  });
});
