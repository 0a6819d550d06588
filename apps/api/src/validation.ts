import { ValidationPipe, type ValidationError } from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import { type FieldError, ValidationProblem } from './problems/problems';
import { ValidationPlans } from './validation-plan';

/** Flattens class-validator's tree into dotted field paths: `participants[0].sharePercent`. */
export function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent
        ? `${parent}.${error.property}`
        : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      // class-validator's whitelist message names the field already; keep messages about the field only
      message: message.replace(/^property (\S+) should not exist$/, 'is not a known field'),
    }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

/**
 * Nest's pipe (class-transformer, then class-validator), except that an object the validation plans find
 * certainly valid is not handed to class-validator: the same checks, resolved once per class (see
 * ValidationPlans). Every other object goes to class-validator, which refuses it as it always did.
 */
export class LedgerValidationPipe extends ValidationPipe {
  private readonly plans = new ValidationPlans();

  protected override validate(
    object: object,
    validatorOptions?: ValidatorOptions,
  ): Promise<ValidationError[]> | ValidationError[] {
    if (this.plans.certainlyValid(object, validatorOptions)) return [];
    return super.validate(object, validatorOptions);
  }
}

/**
 * Shape checks at the edge: unknown fields are refused (a misspelt optional field must not be dropped
 * silently), and every refusal is one problem naming each bad field.
 */
export const ledgerValidationPipe = () =>
  new LedgerValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationProblem(fieldErrors(errors)),
  });
