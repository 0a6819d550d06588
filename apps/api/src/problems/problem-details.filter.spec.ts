import {
  AppendTooLargeError,
  StoreAccessDeniedError,
  StoreUnavailableError,
  StreamDeletedError,
} from '@ledger/event-store';
import { type ArgumentsHost, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { LedgerLogger } from '../http/ledger-logger';
import { ProblemDetailsFilter, toProblem } from './problem-details.filter';

describe('toProblem', () => {
  describe('when the event store refuses a command', () => {
    it('answers a deleted stream with 410 stream-deleted', () => {
      const problem = toProblem(new StreamDeletedError('stockpile-a'));
      expect(problem).toMatchObject({ status: 410, code: 'stream-deleted' });
      expect(problem.body().detail).toContain('stockpile-a');
    });

    it('answers an append larger than the store accepts with 413 payload-too-large and the limit', () => {
      const problem = toProblem(new AppendTooLargeError('stockpile-a', 1_048_576));
      expect(problem).toMatchObject({ status: 413, code: 'payload-too-large' });
      expect(problem.body()).toMatchObject({ maxAppendSize: 1_048_576 });
    });

    it('answers the store refusing the ledger’s own access as a server fault, 503 store-access-denied', () => {
      const problem = toProblem(new StoreAccessDeniedError('access denied'));
      expect(problem).toMatchObject({ status: 503, code: 'store-access-denied' });
      // Not the client's to retry: no Retry-After, unlike an unavailable store.
      expect(problem.headers).toEqual({});
      expect(toProblem(new StoreUnavailableError('down')).headers).toEqual({ 'Retry-After': '1' });
    });
  });
});

describe('ProblemDetailsFilter', () => {
  afterEach(() => {
    jest.restoreAllMocks();
    Logger.overrideLogger(false);
  });

  it('logs a server fault with the correlation id of the request it failed', () => {
    const lines: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => lines.push(String(chunk)) > 0);
    Logger.overrideLogger(new LedgerLogger({ colors: false }));
    const request = {
      method: 'POST',
      originalUrl: '/stockpiles?secret=1',
      header: (name: string) => (name === 'x-correlation-id' ? 'batch-7' : undefined),
    } as unknown as Request;
    const response = {
      headersSent: false,
      setHeader: () => response,
      status: () => response,
      type: () => response,
      send: () => response,
    } as unknown as Response;
    const host = {
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
    } as unknown as ArgumentsHost;

    new ProblemDetailsFilter().catch(new Error('disk on fire'), host);

    expect(lines.join('')).toMatch(/ERROR \[Problem\] correlationId=batch-7 POST \/stockpiles\n/);
  });
});
