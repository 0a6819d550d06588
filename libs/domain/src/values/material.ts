import { invalidValue } from '../shared/domain-error';

/** The material catalogue of DOMAIN.md. Comparisons (capacity vs offtake, exposure) happen within one code. */
export const MATERIALS = {
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
} as const;

export type Material = keyof typeof MATERIALS;
export const MATERIAL_CODES = Object.keys(MATERIALS) as Material[];

export const isMaterial = (input: unknown): input is Material =>
  typeof input === 'string' && Object.prototype.hasOwnProperty.call(MATERIALS, input);

export function parseMaterial(input: unknown, field = 'material'): Material {
  if (!isMaterial(input)) {
    throw invalidValue(field, `${field} must be a catalogue code: ${MATERIAL_CODES.join(', ')}`);
  }
  return input;
}
