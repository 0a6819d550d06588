/** Refusals of the command handler itself, beside the port's errors (`event-store.port.ts`). */

/** If-Match named a revision the stream has moved past (HTTP 412). */
export class StaleRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: bigint,
    readonly actual: bigint | 'no-stream',
  ) {
    super(`${streamId} is at revision ${String(actual)}, not ${expected}`);
    this.name = 'StaleRevisionError';
  }
}

/** Other processes kept writing to the stream through every retry; the client may retry (HTTP 409). */
export class ConcurrencyConflictError extends Error {
  constructor(readonly streamId: string) {
    super(`${streamId} kept changing while the command was decided; retry`);
    this.name = 'ConcurrencyConflictError';
  }
}

/** More commands wait for one stream than this process queues; the client may retry shortly (HTTP 503). */
export class StreamBusyError extends Error {
  constructor(
    readonly streamId: string,
    readonly queued: number,
  ) {
    super(`${queued} commands are already waiting for ${streamId}; retry shortly`);
    this.name = 'StreamBusyError';
  }
}
