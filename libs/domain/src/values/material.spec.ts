import { refusal } from '../testing/refusal';
import { isMaterial, MATERIAL_CODES, MATERIALS, parseMaterial } from './material';

/** The catalogue exactly as DOMAIN.md tabulates it. */
const CATALOGUE_IN_THE_SPEC = {
  'graphite-flake': { mineral: 'graphite', form: 'natural flake concentrate', hs2022: '2504.10' },
  'graphite-spherical': { mineral: 'graphite', form: 'spherical purified graphite', hs2022: '3801.90' },
  'graphite-anode': { mineral: 'graphite', form: 'coated active anode material (AAM)', hs2022: '3801.90' },
  'graphite-synthetic': { mineral: 'graphite', form: 'synthetic graphite', hs2022: '3801.10' },
  gallium: { mineral: 'gallium', form: 'metal, unwrought', hs2022: '8112.92' },
  germanium: { mineral: 'germanium', form: 'metal, unwrought', hs2022: '8112.92' },
  'ndpr-oxide': { mineral: 'rare earths', form: 'NdPr oxide', hs2022: '2846.90' },
  'dysprosium-oxide': { mineral: 'rare earths', form: 'Dy oxide', hs2022: '2846.90' },
  'lithium-carbonate': { mineral: 'lithium', form: 'carbonate', hs2022: '2836.91' },
  'lithium-hydroxide': { mineral: 'lithium', form: 'hydroxide', hs2022: '2825.20' },
  'nickel-sulphate': { mineral: 'nickel', form: 'sulphate', hs2022: '2833.24' },
  'cobalt-sulphate': { mineral: 'cobalt', form: 'sulphate', hs2022: '2833.29' },
};

describe('Material', () => {
  it('has exactly the catalogue of the domain spec', () => {
    expect(MATERIALS).toEqual(CATALOGUE_IN_THE_SPEC);
    expect([...MATERIAL_CODES].sort()).toEqual(Object.keys(CATALOGUE_IN_THE_SPEC).sort());
  });

  it.each(Object.keys(CATALOGUE_IN_THE_SPEC))('accepts the catalogue code %p', (code) => {
    expect(parseMaterial(code)).toBe(code);
    expect(isMaterial(code)).toBe(true);
  });

  it.each([
    ['a mineral name rather than a code', 'graphite'],
    ['a mineral group', 'rare-earths'],
    ['a capitalised code', 'Gallium'],
    ['an upper-case code', 'GALLIUM'],
    ['a padded code', ' gallium'],
    ['an underscore spelling', 'graphite_anode'],
    ['an HS code', '8112.92'],
    ['an inherited property name', 'toString'],
    ['the prototype accessor', '__proto__'],
    ['the constructor property', 'constructor'],
    ['an empty string', ''],
    ['a number', 5],
    ['null', null],
    ['a missing value', undefined],
  ])('refuses %s', (_description, input) => {
    const error = refusal(() => parseMaterial(input));
    expect(error.code).toBe('validation-failed');
    expect(error.field).toBe('material');
    expect(isMaterial(input)).toBe(false);
  });

  it('reports errors under the field name it was given', () => {
    expect(refusal(() => parseMaterial('graphite', 'materials[2]')).field).toBe('materials[2]');
  });
});
