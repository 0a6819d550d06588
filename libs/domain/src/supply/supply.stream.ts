import { streamCategory } from '../shared/stream-category';

/** Streams `supply-<country>`: one country's statistics, the importing or consuming country's. */
export const SUPPLY_STREAMS = streamCategory('supply');
export const supplyStreamId = SUPPLY_STREAMS.streamId;
