import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyRegistry, type Role } from './api-keys';
import { type AuthenticatedRequest, PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import { ForbiddenProblem, UnauthorizedProblem } from '../problems/problems';

/** What a route asks of a key, read once from its metadata. */
interface RouteRule {
  public: boolean;
  /** the roles it accepts, admin among them */
  accepted: ReadonlySet<Role>;
}

/**
 * Bearer API keys. Missing or unknown key: 401. Known key without a role the route accepts: 403.
 * Country limits depend on the entity and are checked in the command's `authorize` step.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Per controller, per handler: route metadata is fixed once the application has started. */
  private readonly rules = new WeakMap<object, WeakMap<object, RouteRule>>();

  constructor(
    private readonly reflector: Reflector,
    @Inject(ApiKeyRegistry) private readonly keys: ApiKeyRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const rule = this.ruleOf(context);
    if (rule.public) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    const principal = match ? this.keys.authenticate(match[1]!) : undefined;
    if (!principal) throw new UnauthorizedProblem();
    request.principal = principal;

    if (!principal.roles.some((role) => rule.accepted.has(role))) {
      throw new ForbiddenProblem(`this route needs one of the roles: ${[...rule.accepted].join(', ')}`);
    }
    return true;
  }

  private ruleOf(context: ExecutionContext): RouteRule {
    const handler = context.getHandler();
    const controller = context.getClass();
    let rules = this.rules.get(controller);
    if (!rules) {
      rules = new WeakMap();
      this.rules.set(controller, rules);
    }
    let rule = rules.get(handler);
    if (!rule) {
      const targets = [handler, controller];
      const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
      rule = {
        public: Boolean(this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)),
        // A route that names no roles is an oversight, not an open door: only admins pass.
        accepted: new Set<Role>([...(allowed ?? []), 'admin']),
      };
      rules.set(handler, rule);
    }
    return rule;
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
