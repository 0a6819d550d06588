import { refusal } from '../testing/refusal';
import { formatScaledDecimal, parseScaledDecimal } from './decimal';

describe('parseScaledDecimal', () => {
  it('scales a decimal string to an integer of the given number of places', () => {
    expect(parseScaledDecimal('12.5', 2, 'x')).toBe(1250n);
    expect(parseScaledDecimal('12', 3, 'x')).toBe(12000n);
    expect(parseScaledDecimal('0.001', 3, 'x')).toBe(1n);
    expect(parseScaledDecimal('7', 0, 'x')).toBe(7n);
  });

  it('accepts zero, leaving positivity to the caller', () => {
    expect(parseScaledDecimal('0', 2, 'x')).toBe(0n);
    expect(parseScaledDecimal('0.00', 2, 'x')).toBe(0n);
  });

  it('accepts more fractional digits than the scale when the extra ones are zeros', () => {
    expect(parseScaledDecimal('1.500', 2, 'x')).toBe(150n);
    expect(parseScaledDecimal('7.000', 0, 'x')).toBe(7n);
  });

  it('refuses significant digits beyond the scale with code precision-exceeded', () => {
    const error = refusal(() => parseScaledDecimal('1.005', 2, 'price'));
    expect(error.code).toBe('precision-exceeded');
    expect(error.kind).toBe('invalid');
    expect(error.field).toBe('price');
    expect(refusal(() => parseScaledDecimal('0.5', 0, 'x')).code).toBe('precision-exceeded');
  });

  it('is exact far beyond the range of a float', () => {
    expect(parseScaledDecimal('123456789012345678901234567890.123', 3, 'x')).toBe(
      123456789012345678901234567890123n,
    );
  });

  it.each([
    ['-1'],
    ['-0'],
    ['+1'],
    ['1e3'],
    ['0x10'],
    ['0b1'],
    ['.5'],
    ['1.'],
    [''],
    [' '],
    [' 1'],
    ['1 '],
    ['1_000'],
    ['01'],
    ['00.5'],
    ['Infinity'],
    ['NaN'],
    ['1.2.3'],
  ])('refuses the malformed decimal %p', (text) => {
    const error = refusal(() => parseScaledDecimal(text, 3, 'amount'));
    expect(error.code).toBe('validation-failed');
    expect(error.field).toBe('amount');
  });

  it.each([[5], [5n], [1.5], [null], [undefined], [{}], [['1']]])('refuses the non-string %p', (value) => {
    const error = refusal(() => parseScaledDecimal(value, 3, 'amount'));
    expect(error.code).toBe('validation-failed');
    expect(error.field).toBe('amount');
  });

  it('refuses an absurdly long string before doing any work on it', () => {
    const error = refusal(() => parseScaledDecimal('1'.repeat(10_000), 0, 'amount'));
    expect(error.code).toBe('out-of-range');
    expect(error.field).toBe('amount');
  });
});

describe('formatScaledDecimal', () => {
  it('writes a scaled integer as a plain decimal', () => {
    expect(formatScaledDecimal(1250n, 2)).toBe('12.5');
    expect(formatScaledDecimal(1234n, 3)).toBe('1.234');
  });

  it('drops trailing zeros and a bare decimal point', () => {
    expect(formatScaledDecimal(150n, 2)).toBe('1.5');
    expect(formatScaledDecimal(1000n, 3)).toBe('1');
  });

  it('keeps the zeros of the whole part', () => {
    expect(formatScaledDecimal(1000n, 0)).toBe('1000');
    expect(formatScaledDecimal(100_000n, 3)).toBe('100');
  });

  it('pads small values with leading zeros after the point', () => {
    expect(formatScaledDecimal(1n, 3)).toBe('0.001');
    expect(formatScaledDecimal(10n, 3)).toBe('0.01');
  });

  it('writes zero as "0"', () => {
    expect(formatScaledDecimal(0n, 3)).toBe('0');
    expect(formatScaledDecimal(0n, 0)).toBe('0');
  });

  it('writes negative values with a leading minus', () => {
    expect(formatScaledDecimal(-1500n, 3)).toBe('-1.5');
    expect(formatScaledDecimal(-5n, 3)).toBe('-0.005');
  });

  it('never uses an exponent', () => {
    expect(formatScaledDecimal(10n ** 30n, 3)).toBe(`1${'0'.repeat(27)}`);
    expect(formatScaledDecimal(1n, 20)).toBe(`0.${'0'.repeat(19)}1`);
  });

  it.each([
    ['1.2300', 4, '1.23'],
    ['0.0010', 3, '0.001'],
    ['18000000', 3, '18000000'],
    ['42', 2, '42'],
    ['0.000', 3, '0'],
  ])('gives the canonical form of %p when read back (scale %p)', (text, scale, canonical) => {
    expect(formatScaledDecimal(parseScaledDecimal(text, scale, 'x'), scale)).toBe(canonical);
  });
});
