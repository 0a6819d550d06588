import {
  AppendTooLargeError,
  StoreAccessDeniedError,
  StoreUnavailableError,
  StreamDeletedError,
} from '@ledger/event-store';
import { toProblem } from './problem-details.filter';

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
