import 'reflect-metadata';
import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { AppModule } from './app.module';
import type { LedgerConfig } from './config/ledger-config';
import { AcquireStockDto, EstablishStockpileDto } from './stockpiles/stockpile.dto';
import { ValidationProblem } from './problems/problems';
import { fieldErrors, ledgerValidationPipe } from './validation';

// Every controller and the DTOs they take, so that the metadata storage holds every class of the API.
AppModule.forConfig({} as LedgerConfig);

type Class = new () => object;

/** Where @nestjs/swagger keeps what ApiProperty says (its constants are not exported from the package). */
const SWAGGER_PROPERTIES = 'swagger/apiModelProperties';
const SWAGGER_PROPERTY_NAMES = 'swagger/apiModelPropertiesArray';

/** Every class of the API with class-validator metadata: the bodies and queries the pipe validates. */
const validatedClasses = (): Class[] => [
  ...(
    getMetadataStorage() as unknown as { validationMetadatas: Map<Class, unknown> }
  ).validationMetadatas.keys(),
];

interface PropertyDoc {
  example?: unknown;
  enum?: unknown[];
  type?: unknown;
  isArray?: boolean;
}

const propertyNames = (type: Class): string[] =>
  ((Reflect.getMetadata(SWAGGER_PROPERTY_NAMES, type.prototype) as string[] | undefined) ?? []).map((name) =>
    name.replace(/^:/, ''),
  );

const propertyDoc = (type: Class, name: string): PropertyDoc =>
  (Reflect.getMetadata(SWAGGER_PROPERTIES, type.prototype, name) as PropertyDoc | undefined) ?? {};

/** The class a documented property holds, when it holds objects of one. */
function nestedClass(doc: PropertyDoc): Class | undefined {
  let type = Array.isArray(doc.type) ? doc.type[0] : doc.type;
  // swagger keeps lazy types (`type: () => Dto`) as arrow functions, which have no prototype
  if (typeof type === 'function' && !('prototype' in type && type.prototype))
    type = (type as () => unknown)();
  return typeof type === 'function' && validatedClasses().includes(type as Class)
    ? (type as Class)
    : undefined;
}

/** A body built from the API document's examples: the shape a client is told to send. */
function exampleOf(type: Class, depth = 0): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const name of propertyNames(type)) {
    const doc = propertyDoc(type, name);
    const nested = depth < 3 ? nestedClass(doc) : undefined;
    const one = nested
      ? exampleOf(nested, depth + 1)
      : (doc.example ?? doc.enum?.[0] ?? (doc.type === Number ? 1 : 'x'));
    body[name] = nested && (doc.isArray || Array.isArray(doc.type)) ? [one] : one;
  }
  return body;
}

/** Values of every kind a client may send instead, around the limits the DTOs set. */
const ODD_VALUES: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  1e21,
  true,
  '',
  ' ',
  'x',
  '10',
  'JP',
  'graphite-anode',
  'a'.repeat(40),
  'a'.repeat(41),
  '\u{1F600}'.repeat(21),
  '\uFE0F'.repeat(41),
  'a'.repeat(1001),
  'UPPER',
  'jp-ca-graphite-reserve',
  '2026-03-26',
  [],
  ['a'],
  [1],
  [null],
  [{}],
  {},
  { amount: '1', unit: 't' },
  { amount: 1, unit: 't' },
  { constructor: 1 },
];

/** A small deterministic generator, so that a failure can be replayed. */
function randomOf(seed: number) {
  let state = seed;
  return (below: number): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % below;
  };
}

function mutate(body: Record<string, unknown>, random: (below: number) => number): Record<string, unknown> {
  const copy = structuredClone(body);
  const names = Object.keys(copy);
  const name = names[random(names.length)];
  switch (random(5)) {
    case 0:
      if (name !== undefined) delete copy[name];
      break;
    case 1:
      copy[`unknown${random(3)}`] = ODD_VALUES[random(ODD_VALUES.length)];
      break;
    case 2: {
      // inside a nested object or list of them
      const inner = name === undefined ? undefined : copy[name];
      const target = Array.isArray(inner) ? inner[0] : inner;
      if (target && typeof target === 'object') {
        const innerNames = Object.keys(target);
        const innerName = innerNames[random(innerNames.length)] ?? 'extra';
        (target as Record<string, unknown>)[innerName] = ODD_VALUES[random(ODD_VALUES.length)];
      }
      break;
    }
    case 3:
      if (name !== undefined && Array.isArray(copy[name])) {
        (copy[name] as unknown[]).push(structuredClone((copy[name] as unknown[])[0]));
      }
      break;
    default:
      if (name !== undefined) copy[name] = ODD_VALUES[random(ODD_VALUES.length)];
  }
  for (const key of Object.keys(copy)) if (copy[key] === undefined) delete copy[key];
  return copy;
}

type Outcome = { accepted: object } | { refused: unknown };

async function outcomeOf(pipe: ValidationPipe, body: unknown, metatype: Class): Promise<Outcome> {
  const metadata: ArgumentMetadata = { type: 'body', metatype, data: '' };
  try {
    return { accepted: (await pipe.transform(structuredClone(body), metadata)) as object };
  } catch (error) {
    if (!(error instanceof ValidationProblem)) throw error;
    return { refused: error.body('/') };
  }
}

/** The instance as a client's code would see it: its class and own keys in order, at every level. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value === null || typeof value !== 'object') return value;
  return {
    class: (value.constructor as { name?: string } | undefined)?.name,
    entries: Object.entries(value).map(([key, inner]) => [key, shapeOf(inner)]),
  };
}

describe('LedgerValidationPipe', () => {
  // Nest's pipe as the ledger configured it before the plans, for reference.
  const reference = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationProblem(fieldErrors(errors)),
  });
  const pipe = ledgerValidationPipe();

  it('knows the API’s classes', () => {
    expect(validatedClasses().length).toBeGreaterThan(20);
    expect(validatedClasses()).toEqual(expect.arrayContaining([AcquireStockDto, EstablishStockpileDto]));
  });

  it('accepts and refuses exactly what class-validator does, with the same instances and errors', async () => {
    let compared = 0;
    let acceptedWithoutClassValidator = 0;
    const validate = jest.spyOn(
      ValidationPipe.prototype as unknown as { validate: () => unknown },
      'validate',
    );
    for (const [index, type] of validatedClasses().entries()) {
      const random = randomOf(index + 1);
      const example = exampleOf(type);
      const bodies: unknown[] = [example, {}, [], 'text', 7, null];
      for (let n = 0; n < 120; n++) {
        let body = example;
        for (let changes = 1 + random(3); changes > 0; changes--) body = mutate(body, random);
        bodies.push(body);
      }
      for (const body of bodies) {
        const expected = await outcomeOf(reference, body, type);
        validate.mockClear();
        const actual = await outcomeOf(pipe, body, type);
        if ('accepted' in actual && validate.mock.calls.length === 0) acceptedWithoutClassValidator += 1;
        const context = `${type.name} ${JSON.stringify(body)}`;
        expect({ context, outcome: 'accepted' in actual }).toEqual({
          context,
          outcome: 'accepted' in expected,
        });
        if ('accepted' in actual && 'accepted' in expected) {
          expect({ context, shape: shapeOf(actual.accepted) }).toEqual({
            context,
            shape: shapeOf(expected.accepted),
          });
        } else {
          expect({ context, problem: actual }).toEqual({ context, problem: expected });
        }
        compared += 1;
      }
    }
    validate.mockRestore();
    expect(compared).toBeGreaterThan(2000);
    // the plans are used, not only correct: most bodies the examples make are valid
    expect(acceptedWithoutClassValidator).toBeGreaterThan(validatedClasses().length);
  });

  it('leaves class-validator out for the command bodies clients send', async () => {
    const validate = jest.spyOn(
      ValidationPipe.prototype as unknown as { validate: () => unknown },
      'validate',
    );
    const metadata: ArgumentMetadata = { type: 'body', metatype: AcquireStockDto, data: '' };
    const body = {
      material: 'graphite-anode',
      quantity: { amount: '12.5', unit: 't' },
      location: 'Yokohama',
      originCountry: 'CA',
      cost: { amount: '100.00', currency: 'USD' },
    };
    await expect(pipe.transform(body, metadata)).resolves.toBeInstanceOf(AcquireStockDto);
    expect(validate).not.toHaveBeenCalled();
    validate.mockRestore();
  });
});
