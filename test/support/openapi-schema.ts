/**
 * Checks a JSON value against a schema of an OpenAPI 3.0 document: the subset the ledger's document uses
 * ($ref, allOf, type, nullable, enum, properties, required, items, additionalProperties). Objects are
 * closed: a property the schema does not name is an error, so an answer cannot carry undocumented fields.
 */
export function schemaErrors(document: any, schema: any, value: unknown, path = '$'): string[] {
  const resolved = resolve(document, schema);
  if (resolved.allOf) return allOfErrors(document, resolved.allOf, value, path);
  if (value === null) return resolved.nullable ? [] : [`${path} is null`];
  if (resolved.enum && !resolved.enum.includes(value))
    return [`${path} = ${JSON.stringify(value)} is not in the enum`];
  const type = resolved.type ?? (resolved.properties ? 'object' : undefined);
  switch (type) {
    case 'string':
    case 'boolean':
      return typeof value === type ? [] : [`${path} is not a ${type}: ${JSON.stringify(value)}`];
    case 'number':
      return typeof value === 'number' ? [] : [`${path} is not a number`];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${path} is not an integer`];
    case 'array':
      if (!Array.isArray(value)) return [`${path} is not an array`];
      return value.flatMap((item, index) =>
        schemaErrors(document, resolved.items, item, `${path}[${index}]`),
      );
    case 'object':
      return objectErrors(document, [resolved], value, path);
    default:
      return [];
  }
}

function resolve(document: any, schema: any): any {
  if (!schema?.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = document.components.schemas[name];
  if (!target) throw new Error(`the document has no schema ${name}`);
  return resolve(document, target);
}

/** allOf of object schemas: every part's constraints, and the union of their properties closes the object. */
function allOfErrors(document: any, parts: any[], value: unknown, path: string): string[] {
  return objectErrors(
    document,
    parts.map((part) => resolve(document, part)),
    value,
    path,
  );
}

function objectErrors(document: any, parts: any[], value: unknown, path: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [`${path} is not an object`];
  const record = value as Record<string, unknown>;
  const errors: string[] = [];
  const named = new Set<string>();
  let additional: any;
  for (const part of parts) {
    for (const key of part.required ?? []) if (!(key in record)) errors.push(`${path}.${key} is missing`);
    for (const [key, property] of Object.entries(part.properties ?? {})) {
      named.add(key);
      if (key in record) errors.push(...schemaErrors(document, property, record[key], `${path}.${key}`));
    }
    additional ??= part.additionalProperties;
  }
  for (const [key, member] of Object.entries(record)) {
    if (named.has(key)) continue;
    if (additional === undefined || additional === false) errors.push(`${path}.${key} is not documented`);
    else if (additional !== true)
      errors.push(...schemaErrors(document, additional, member, `${path}.${key}`));
  }
  return errors;
}
