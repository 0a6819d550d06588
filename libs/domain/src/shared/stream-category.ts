/**
 * A stream category: every stream of one aggregate is `<category>-<entity id>`. Categories carry no dashes
 * (hence `exportRestriction`), so the id after the first dash is the entity's, whatever dashes it holds.
 * Each aggregate defines its category once, beside its decider; builders and parsers come from it.
 */
export interface StreamCategory {
  readonly name: string;
  /** the stream of one entity */
  streamId(entityId: string): string;
  /** the entity id of one of this category's streams, or undefined for a stream of another category */
  entityIdOf(streamId: string): string | undefined;
}

export function streamCategory(name: string): StreamCategory {
  if (name.includes('-')) throw new Error(`a stream category has no dashes: ${name}`);
  const prefix = `${name}-`;
  return {
    name,
    streamId: (entityId) => `${prefix}${entityId}`,
    entityIdOf: (streamId) => (streamId.startsWith(prefix) ? streamId.slice(prefix.length) : undefined),
  };
}

/** The category of any stream id: what comes before its first dash. */
export const categoryOfStream = (streamId: string): string => {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
};
