import {
  getMetadataStorage,
  type MetadataStorage,
  type ValidationArguments,
  ValidationTypes,
  type ValidatorConstraintInterface,
  type ValidatorOptions,
} from 'class-validator';

type ValidationMetadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
/** A class as class-validator keys its metadata. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- class-validator's own type for it
type MetadataTarget = Function;

/**
 * class-validator's own checks on a DTO, resolved once per class: which properties it knows, the conditions
 * that gate each property, and the validator functions of each constraint. class-validator looks all of
 * this up again on every call (a filter over the metadata of every class, per object validated), builds an
 * error object per property, valid or not, and settles a promise per call: a quarter of the command path's
 * validation time went to the lookups alone.
 *
 * The plan decides only "class-validator finds no error" and calls the very validator functions that
 * class-validator would, with the same arguments, in the same order of gates, so what it accepts is what
 * class-validator accepts. Anything it is not certain of (a failed check, a feature it does not model, an
 * option set otherwise) is left to class-validator, which then finds and words the errors as it always did.
 */
interface ConstraintCheck {
  metadata: ValidationMetadata;
  validators: ValidatorConstraintInterface[];
}

interface PropertyPlan {
  name: string;
  /** `@IsOptional`, `@ValidateIf`: the property is validated only when every one holds */
  conditions: ((object: object, value: unknown) => unknown)[];
  /** `@IsDefined`: checked before the others, as class-validator does */
  defined: ConstraintCheck[];
  checks: ConstraintCheck[];
  nested: ValidationMetadata[];
}

interface ClassPlan {
  /** every property with metadata: anything else is refused by `forbidNonWhitelisted` */
  known: ReadonlySet<string>;
  properties: PropertyPlan[];
}

const isPromise = (value: unknown): boolean =>
  value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';

const isCollection = (value: unknown): value is unknown[] | Set<unknown> | Map<unknown, unknown> =>
  Array.isArray(value) || value instanceof Set || value instanceof Map;

/** The validator options the plans are made for: the ledger's pipe's. Any other options: ask class-validator. */
function plannedFor(options: ValidatorOptions | undefined): boolean {
  return (
    options !== undefined &&
    options.whitelist === true &&
    options.forbidNonWhitelisted === true &&
    options.forbidUnknownValues !== false &&
    !options.always &&
    !options.strictGroups &&
    (options.groups === undefined || options.groups.length === 0) &&
    !options.skipUndefinedProperties &&
    !options.skipNullProperties &&
    !options.skipMissingProperties
  );
}

export class ValidationPlans {
  private readonly storage = getMetadataStorage();
  /**
   * By class and schema name (a nested object is looked up under its parent's class name, as class-validator
   * does). Decorators run when their classes are defined, before the first request, so a plan never goes
   * stale; null: the class uses something the plans do not model.
   */
  private readonly plans = new Map<MetadataTarget, Map<string | undefined, ClassPlan | null>>();

  /** Whether class-validator, called with `options`, certainly finds no error in `object`. */
  certainlyValid(object: object, options: ValidatorOptions | undefined): boolean {
    return plannedFor(options) && this.accepts(object, undefined);
  }

  private accepts(object: object, schema: string | undefined): boolean {
    const constructor = (object as { constructor?: unknown }).constructor;
    if (typeof constructor !== 'function') return false;
    const plan = this.planOf(constructor, schema);
    if (!plan) return false;
    for (const key of Object.keys(object)) if (!plan.known.has(key)) return false;
    for (const property of plan.properties) {
      const value = (object as Record<string, unknown>)[property.name];
      // class-validator calls every condition and validates when all of them are truthy
      const canValidate = property.conditions
        .map((condition) => condition(object, value))
        .reduce((all: unknown, one) => all && one, true);
      if (!canValidate) continue;
      if (!this.passes(object, value, property.defined)) return false;
      if (!this.passes(object, value, property.checks)) return false;
      if (!this.nestedPasses(value, property.nested)) return false;
    }
    return true;
  }

  private passes(object: object, value: unknown, checks: ConstraintCheck[]): boolean {
    for (const { metadata, validators } of checks) {
      if (metadata.validateIf && !metadata.validateIf(object, value)) continue;
      const args: ValidationArguments = {
        targetName: (object.constructor as { name?: string } | undefined)?.name as string,
        property: metadata.propertyName,
        object,
        value,
        constraints: metadata.constraints,
      };
      for (const validator of validators) {
        const values = metadata.each && isCollection(value) ? collectionValues(value) : [value];
        for (const one of values) {
          const valid = validator.validate(one, args);
          if (isPromise(valid) || !valid) return false;
        }
      }
    }
    return true;
  }

  private nestedPasses(value: unknown, nested: ValidationMetadata[]): boolean {
    if (value === undefined) return true;
    for (const metadata of nested) {
      if (isCollection(value)) {
        for (const item of value instanceof Map ? value.values() : value) {
          if (!this.nestedPasses(item, nested)) return false;
        }
      } else if (value instanceof Object) {
        const schema = typeof metadata.target === 'string' ? metadata.target : metadata.target.name;
        if (!this.accepts(value, schema)) return false;
      } else {
        return false;
      }
    }
    return true;
  }

  private planOf(constructor: MetadataTarget, schema: string | undefined): ClassPlan | null {
    let bySchema = this.plans.get(constructor);
    if (!bySchema) {
      bySchema = new Map();
      this.plans.set(constructor, bySchema);
    }
    let plan = bySchema.get(schema);
    if (plan === undefined) {
      plan = this.makePlan(constructor, schema);
      bySchema.set(schema, plan);
    }
    return plan;
  }

  private makePlan(constructor: MetadataTarget, schema: string | undefined): ClassPlan | null {
    // The same call, with the same options, as class-validator's executor makes for every object.
    const metadatas = this.storage.getTargetValidationMetadatas(
      constructor,
      schema as string,
      false,
      false,
      undefined,
    );
    // No metadata: `forbidUnknownValues` refuses the object.
    if (metadatas.length === 0) return null;
    const properties: PropertyPlan[] = [];
    for (const [name, ofProperty] of Object.entries(this.storage.groupByPropertyName(metadatas))) {
      const property: PropertyPlan = { name, conditions: [], defined: [], checks: [], nested: [] };
      for (const metadata of ofProperty) {
        switch (metadata.type) {
          case ValidationTypes.CONDITIONAL_VALIDATION:
            property.conditions.push(metadata.constraints[0] as PropertyPlan['conditions'][number]);
            break;
          case ValidationTypes.IS_DEFINED:
          case ValidationTypes.CUSTOM_VALIDATION: {
            const check = this.checkOf(metadata);
            if (!check) return null;
            (metadata.type === ValidationTypes.IS_DEFINED ? property.defined : property.checks).push(check);
            break;
          }
          case ValidationTypes.NESTED_VALIDATION:
            property.nested.push(metadata);
            break;
          case ValidationTypes.WHITELIST:
            break;
          default:
            // promise validation and whatever a later class-validator adds
            return null;
        }
      }
      properties.push(property);
    }
    return { known: new Set(properties.map((property) => property.name)), properties };
  }

  private checkOf(metadata: ValidationMetadata): ConstraintCheck | null {
    const constraints = this.storage.getTargetValidatorConstraints(metadata.constraintCls);
    if (constraints.some((constraint) => constraint.async)) return null;
    return { metadata, validators: constraints.map((constraint) => constraint.instance) };
  }
}

const collectionValues = (value: unknown[] | Set<unknown> | Map<unknown, unknown>): unknown[] =>
  value instanceof Map ? [...value.values()] : Array.isArray(value) ? value : [...value];
