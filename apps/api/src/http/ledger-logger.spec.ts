import { LedgerLogger } from './ledger-logger';
import { writingForRequest } from './request-context';

describe('LedgerLogger', () => {
  const lines: string[] = [];
  beforeEach(() => {
    lines.length = 0;
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => lines.push(String(chunk)) > 0);
  });
  afterEach(() => jest.restoreAllMocks());

  const logger = new LedgerLogger({ colors: false });

  it('writes the correlation id of the request the lines are written for', () => {
    writingForRequest('batch-7', () => logger.log('appended', 'Commands'));
    expect(lines).toEqual([expect.stringMatching(/ LOG \[Commands\] correlationId=batch-7 appended\n$/)]);
  });

  it('writes lines outside any request as Nest does', () => {
    logger.log('listening', 'Bootstrap');
    expect(lines).toEqual([expect.stringMatching(/ LOG \[Bootstrap\] listening\n$/)]);
  });
});
