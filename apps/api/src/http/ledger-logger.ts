import { ConsoleLogger } from '@nestjs/common';
import { currentCorrelationId } from './request-context';

/**
 * Nest's console logger, with the correlation id of the request on every line written for it (see
 * `writingForRequest`), so that an operator can follow one request (and its events' metadata) through the log.
 */
export class LedgerLogger extends ConsoleLogger {
  protected override formatContext(context: string): string {
    const correlationId = currentCorrelationId();
    const tag = super.formatContext(context);
    return correlationId === undefined ? tag : `${tag}correlationId=${correlationId} `;
  }
}
