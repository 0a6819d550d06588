import { Param, type PipeTransform } from '@nestjs/common';
import { CLIENT_ID_PATTERN } from '@ledger/domain';
import { NotFoundProblem } from '../problems/problems';

/** An entity id in the path: anything that cannot be an id cannot name an entity, so it is a 404. */
class EntityIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!CLIENT_ID_PATTERN.test(value))
      throw new NotFoundProblem(`no entity has the id "${value.slice(0, 80)}"`);
    return value;
  }
}

export const EntityIdParam = (name = 'id') => Param(name, new EntityIdPipe());
