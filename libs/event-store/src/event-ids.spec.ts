import { deterministicEventId } from './event-ids';

describe('deterministicEventId', () => {
  it('gives a retried command the same id for the same stream, actor, key and index', () => {
    expect(deterministicEventId('stockpile-a', 'nrcan', 'key-1', 0)).toBe(
      deterministicEventId('stockpile-a', 'nrcan', 'key-1', 0),
    );
  });

  it('never gives the same id in two streams, whatever the actor, key and index', () => {
    const inA = deterministicEventId('stockpile-a', 'nrcan', 'key-1', 0);
    const inB = deterministicEventId('stockpile-b', 'nrcan', 'key-1', 0);
    expect(inA).not.toBe(inB);
  });

  it('keeps the parts apart, so that no two different tuples can give the same input', () => {
    // Joined with dashes both would read "a-b-c-k-0"; the JSON array keeps the boundaries.
    expect(deterministicEventId('a-b', 'c', 'k', 0)).not.toBe(deterministicEventId('a', 'b-c', 'k', 0));
  });

  it('differs by index within one command', () => {
    expect(deterministicEventId('stockpile-a', 'nrcan', 'key-1', 0)).not.toBe(
      deterministicEventId('stockpile-a', 'nrcan', 'key-1', 1),
    );
  });
});
