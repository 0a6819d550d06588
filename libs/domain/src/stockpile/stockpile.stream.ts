import { streamCategory } from '../shared/stream-category';

/** Streams `stockpile-<stockpileId>`. */
export const STOCKPILE_STREAMS = streamCategory('stockpile');
export const stockpileStreamId = STOCKPILE_STREAMS.streamId;
