import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-body';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const arrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('nestsDeeperThan', () => {
  it('counts arrays and objects alike, up to the limit and one past it', () => {
    expect(nestsDeeperThan(bytes(arrays(MAX_JSON_DEPTH)), MAX_JSON_DEPTH)).toBe(false);
    expect(nestsDeeperThan(bytes(arrays(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH)).toBe(true);
    expect(nestsDeeperThan(bytes('{"a":{"b":[{"c":1}]}}'), 3)).toBe(true);
    expect(nestsDeeperThan(bytes('{"a":{"b":[{"c":1}]}}'), 4)).toBe(false);
  });

  it('measures depth, not the number of brackets: siblings do not add up', () => {
    expect(nestsDeeperThan(bytes(`[${Array.from({ length: 1000 }, () => '[1]').join(',')}]`), 2)).toBe(false);
  });

  it('skips brackets inside strings, escaped quotes and backslashes included', () => {
    expect(nestsDeeperThan(bytes(JSON.stringify({ text: '['.repeat(100) })), 1)).toBe(false);
    expect(nestsDeeperThan(bytes(JSON.stringify({ text: `\\"${'{'.repeat(100)}` })), 1)).toBe(false);
    expect(nestsDeeperThan(bytes(JSON.stringify({ text: '\\' })), 1)).toBe(false);
    // after a string that ends in an escaped backslash, brackets count again
    expect(nestsDeeperThan(bytes(`{"text":"\\\\",${'"x":'}[[1]]}`), 2)).toBe(true);
  });

  it('never takes a byte of a multi-byte character for a quote or a bracket', () => {
    expect(nestsDeeperThan(bytes(JSON.stringify({ name: 'Bécancour ✓ 日本 "[' })), 1)).toBe(false);
  });

  it('scans 2000 levels, the body that overflowed the stack, without recursing', () => {
    expect(nestsDeeperThan(bytes(`{"nested":${arrays(2000)}}`), MAX_JSON_DEPTH)).toBe(true);
    expect(nestsDeeperThan(bytes(arrays(1_000_000)), MAX_JSON_DEPTH)).toBe(true);
  });
});
