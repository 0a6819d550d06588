import { streamCategory } from '../shared/stream-category';

/** Streams `exportRestriction-<restrictionId>` (categories carry no dashes, hence the camel case). */
export const EXPORT_RESTRICTION_STREAMS = streamCategory('exportRestriction');
export const exportRestrictionStreamId = EXPORT_RESTRICTION_STREAMS.streamId;
