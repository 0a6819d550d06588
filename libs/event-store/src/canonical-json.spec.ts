import { canonicalJson, isCanonicalJsonText, TopLevelMembers } from './canonical-json';

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

/** mulberry32: the same random texts on every run. */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random JSON values, and their text written in every way JSON allows (order, spacing, number forms). */
function randomJson(random: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const strings = [
    '',
    'a',
    'b',
    'ab',
    'A',
    'é',
    '€',
    '😀',
    'דּ',
    'x"y',
    'back\\slash',
    'line\nbreak',
    '\u0001',
    '\u001f',
    '\t',
    '/',
    '\u2028',
    '\ud800',
    'lone \udc00 low',
    '10',
    '9',
    'hash',
    'prevHash',
  ];
  const numbers = [
    0,
    -0,
    1,
    -1,
    7,
    10,
    1.5,
    -2.25,
    0.1,
    1e21,
    1e-7,
    123456789012345,
    2 ** 62 + 2 ** 10,
    5e-324,
  ];
  const value = (depth: number): unknown => {
    const roll = random();
    if (depth > 3 || roll < 0.3) return pick([...strings, ...numbers, true, false, null]);
    if (roll < 0.55) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    const object: Record<string, unknown> = {};
    for (let n = Math.floor(random() * 5); n > 0; n -= 1) object[pick(strings)] = value(depth + 1);
    return object;
  };
  /** the value's text, written with members in any order, spaces here and there, numbers in other forms */
  const anyText = (v: unknown): string => {
    const space = () => (random() < 0.05 ? ' ' : '');
    if (typeof v === 'number') {
      return pick([JSON.stringify(v), String(v), v.toExponential(), `${v}`.replace(/^(\d+)$/, '$1.0')]);
    }
    if (typeof v === 'string') {
      const written = JSON.stringify(v);
      return random() < 0.1
        ? written.replace(/[a/é]/, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
        : written;
    }
    if (Array.isArray(v)) return `[${space()}${v.map(anyText).join(`,${space()}`)}]`;
    if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v).sort();
      if (random() < 0.3) keys.reverse();
      const members = keys.map(
        (k) => `${JSON.stringify(k)}:${space()}${anyText((v as Record<string, unknown>)[k])}`,
      );
      if (random() < 0.05 && members.length > 0) members.push(members[0]!);
      return `{${members.join(',')}}`;
    }
    return JSON.stringify(v);
  };
  return { value, anyText };
}

describe('isCanonicalJsonText', () => {
  it('accepts what canonicalJson writes', () => {
    for (const value of [
      { b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } },
      { '€': 1, é: 2, דּ: 3, '😀': 4, Z: 5, a: 6 },
      { 9: 'nine', 10: 'ten', a: 'a' },
      { text: 'line\nbreak "quoted" \u0001 \t\b\f\r back\\slash 😀' },
      [0, -1, 1.5, -2.25, 1e21, 1e-7, 123456789012345, 2 ** 60, 0.1],
      'text',
      null,
      {},
      [],
    ]) {
      expect(isCanonicalJsonText(canonicalJson(value))).toBe(true);
    }
  });

  it.each([
    ['whitespace', '{"a": 1}'],
    ['keys out of order', '{"b":1,"a":2}'],
    ['a repeated key', '{"a":1,"a":2}'],
    ['integer-like keys in numeric order', '{"9":1,"10":2}'],
    ['negative zero', '[-0]'],
    ['a trailing zero', '[1.0]'],
    ['an exponent JSON.stringify does not write', '[1e5]'],
    ['an upper-case exponent', '[1E+21]'],
    ['a needless escape', '["\\/"]'],
    ['a letter escaped', '["\\u0041"]'],
    ['a control character in upper-case hex', '["\\u001F"]'],
    ['a control character with a short escape written long', '["\\u000a"]'],
    ['a raw control character', '["\u0001"]'],
    ['a lone surrogate', '["\ud800"]'],
    ['text after the value', '{}{}'],
    ['nothing', ''],
    ['a truncated string', '["abc'],
    ['not JSON', '{a:1}'],
  ])('refuses %s', (_what, text) => {
    expect(isCanonicalJsonText(text)).toBe(false);
  });

  it('never says canonical of a text that is not exactly canonicalJson(JSON.parse(text))', () => {
    const random = seededRandom(17);
    const { value, anyText } = randomJson(random);
    let accepted = 0;
    for (let n = 0; n < 20_000; n += 1) {
      const text = anyText(value(0));
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        expect(isCanonicalJsonText(text)).toBe(false);
        continue;
      }
      let canonical: string | undefined;
      try {
        canonical = canonicalJson(parsed);
      } catch {
        // Infinity (1e400 and the like) has no canonical form
      }
      if (isCanonicalJsonText(text)) {
        accepted += 1;
        expect(canonical).toBe(text);
      }
    }
    // the fast path is worth having only if it accepts the usual text
    expect(accepted).toBeGreaterThan(5_000);
  });

  it('accepts canonical text unless a key holds an escape or a string an escaped lone surrogate', () => {
    const random = seededRandom(41);
    const { value } = randomJson(random);
    for (let n = 0; n < 5_000; n += 1) {
      const text = canonicalJson(value(0));
      const escapedKey = /"(?:[^"\\]|\\.)*\\.(?:[^"\\]|\\.)*":/.test(text);
      if (!escapedKey && !/\\ud[89a-f]/.test(text)) expect(isCanonicalJsonText(text)).toBe(true);
    }
  });

  it('finds the top-level members it is asked about, not members of the same name deeper down', () => {
    const members = new TopLevelMembers(['hash', 'prevHash']);
    const text = canonicalJson({ actor: { hash: 'inner' }, hash: 'outer', list: [{ prevHash: 1 }], zeta: 2 });
    expect(isCanonicalJsonText(text, members)).toBe(true);
    expect(text.slice(members.start[0], members.end[0])).toBe('"hash":"outer"');
    expect(text.slice(members.valueStart[0], members.end[0])).toBe('"outer"');
    expect(members.start[1]).toBe(-1);
    expect(isCanonicalJsonText('{"prevHash":{"a":[1]}}', members)).toBe(true);
    expect(members.start[0]).toBe(-1);
    expect(members.valueStart[1]).toBe(12);
    expect(members.end[1]).toBe(21);
  });
});
