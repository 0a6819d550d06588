import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyRegistry, type Role } from './api-keys';
import { type AuthenticatedRequest, PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import { ForbiddenProblem, UnauthorizedProblem } from '../problems/problems';

/**
 * Bearer API keys. Missing or unknown key: 401. Known key without a role the route accepts: 403.
 * Country limits depend on the entity and are checked in the command's `authorize` step.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(ApiKeyRegistry) private readonly keys: ApiKeyRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    const principal = match ? this.keys.authenticate(match[1]!) : undefined;
    if (!principal) throw new UnauthorizedProblem();
    request.principal = principal;

    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    // A route that names no roles is an oversight, not an open door: only admins pass.
    const accepted = new Set<Role>([...(allowed ?? []), 'admin']);
    if (!principal.roles.some((role) => accepted.has(role))) {
      throw new ForbiddenProblem(`this route needs one of the roles: ${[...accepted].join(', ')}`);
    }
    return true;
  }
}

/**
 * Recorders act only for their countries; admins for every country. The refusal names the key's own
 * countries, never the entity's: a recorder learns nothing about an entity it may not act for.
 */
export function assertMayActFor(
  principal: { roles: readonly string[]; countries: readonly string[] },
  countries: readonly string[],
  what: string,
): void {
  if (principal.roles.includes('admin')) return;
  if (!countries.some((country) => principal.countries.includes(country))) {
    throw new ForbiddenProblem(
      `this key records for ${principal.countries.join(', ') || 'no country'} only, and may not record for ${what}`,
    );
  }
}
