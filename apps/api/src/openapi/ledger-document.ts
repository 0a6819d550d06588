import { type INestApplication, RequestMethod } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  DocumentBuilder,
  type OpenAPIObject,
  type OperationObject,
  type ParameterObject,
  type ReferenceObject,
  SwaggerModule,
} from '@nestjs/swagger';
import type { Role } from '../auth/api-keys';
import { PUBLIC_KEY, ROLES_KEY } from '../auth/auth.decorators';
import { controllersOf, routesOf } from '../http/route-table';
import { problemResponse } from './api-responses';
import { ProblemDto } from './problem.dto';

const SECURITY_SCHEME = 'bearer';

const CORRELATION_ID = 'X-Correlation-Id';

const DESCRIPTION = `An event-sourced ledger of critical-mineral supply commitments (API.md, DOMAIN.md).

Errors are RFC 9457 \`application/problem+json\` with a stable \`code\`; each operation lists the codes it
may answer. Besides them, any path answers a method it does not take with 405 \`method-not-allowed\` and
an \`Allow\` header (\`#/components/responses/MethodNotAllowed\`; OPTIONS: 204 with \`Allow\`), a body
that is not UTF-8 JSON with 415 \`unsupported-media-type\`, and JSON nested deeper than 32 levels with 400
\`nesting-too-deep\`. Every response carries \`${CORRELATION_ID}\`. Keys are opaque bearer tokens from the
key file.`;

/** Swagger's `:name` is OpenAPI's `{name}`. */
const openApiPath = (pattern: string): string => pattern.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * The OpenAPI document: the controllers' own decorators (bodies, parameters, each route's answers and
 * refusals), completed here from what every route shares. Security comes from the metadata the auth guard
 * reads (`@Public()`, `@Roles()`), never from a second declaration, so the document says exactly what the
 * guard enforces: public routes need no key; every other route needs one (401), of one of its roles (403).
 */
export function ledgerOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Minerals Ledger')
      .setDescription(DESCRIPTION)
      .setVersion('0.1.0')
      // an opaque key, not a JWT: no bearerFormat
      .addSecurity(SECURITY_SCHEME, {
        type: 'http',
        scheme: 'bearer',
        description: 'an API key from the key file (LEDGER_API_KEYS_FILE)',
      })
      .build(),
    { extraModels: [ProblemDto] },
  );
  document.components ??= {};
  // Not an answer of any one operation (it is for the methods a path does not take), so a component.
  document.components.responses = {
    ...document.components.responses,
    MethodNotAllowed: problemResponse(405, ['method-not-allowed'], {
      Allow: { description: 'the methods the path takes', schema: { type: 'string' } },
    }),
  };
  document.components.headers = {
    ...document.components.headers,
    [CORRELATION_ID]: {
      description:
        'the request’s correlation id: the client’s when valid, else a new one; also in the events',
      schema: { type: 'string', maxLength: 128 },
    },
  };

  const reflector = app.get(Reflector);
  for (const route of routesOf(controllersOf(app))) {
    const method = RequestMethod[route.method].toLowerCase() as 'get';
    const operation = document.paths[openApiPath(route.pattern)]?.[method];
    if (!operation) continue;
    const targets = [route.handler, route.controller];
    if (reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) {
      operation.security = [];
    } else {
      const roles = new Set<Role>([
        ...(reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? []),
        'admin',
      ]);
      requireKey(operation, [...roles]);
    }
  }
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as OperationObject[]) {
      if (typeof operation !== 'object' || !operation.responses) continue;
      operation.responses[500] ??= problemResponse(500, ['internal-error']);
      correlate(operation);
    }
  }
  return document;
}

function requireKey(operation: OperationObject, roles: Role[]): void {
  operation.security = [{ [SECURITY_SCHEME]: [] }];
  operation.description = [operation.description, `Roles: ${roles.join(', ')}.`].filter(Boolean).join('\n\n');
  operation.responses[401] = problemResponse(401, ['unauthorized'], {
    'WWW-Authenticate': { description: '`Bearer realm="minerals-ledger"`', schema: { type: 'string' } },
  });
  operation.responses[403] ??= problemResponse(403, ['forbidden']);
}

/** Every request may send `X-Correlation-Id`, and every response carries one. */
function correlate(operation: OperationObject): void {
  const parameters = (operation.parameters ??= []) as (ParameterObject | ReferenceObject)[];
  if (!parameters.some((parameter) => 'name' in parameter && parameter.name === CORRELATION_ID)) {
    parameters.push({
      name: CORRELATION_ID,
      in: 'header',
      required: false,
      description: '1–128 visible ASCII characters; returned on the response and recorded in the events',
      schema: { type: 'string', maxLength: 128 },
    });
  }
  for (const response of Object.values(operation.responses)) {
    if (!response || '$ref' in response) continue;
    response.headers = {
      ...response.headers,
      [CORRELATION_ID]: { $ref: `#/components/headers/${CORRELATION_ID}` },
    };
  }
}
