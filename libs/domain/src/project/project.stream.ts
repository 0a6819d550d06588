import { streamCategory } from '../shared/stream-category';

/** Streams `project-<projectId>`. */
export const PROJECT_STREAMS = streamCategory('project');
export const projectStreamId = PROJECT_STREAMS.streamId;
