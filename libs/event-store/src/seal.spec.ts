import { createHash } from 'node:crypto';
import { eventHash, GENESIS_HASH, sealEvents } from './seal';
import { draftEvent as draft } from './testing/sealed-log';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('Hash chain', () => {
  describe('when sealing events', () => {
    it('links the first event of a stream to the genesis hash and each later one to its predecessor', () => {
      const [first, second] = sealEvents('stockpile-a', undefined, [draft(1), draft(2)]);
      expect(first!.metadata.prevHash).toBe(GENESIS_HASH);
      expect(first!.metadata.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(second!.metadata.prevHash).toBe(first!.metadata.hash);
      expect(GENESIS_HASH).toBe('0'.repeat(64));
    });

    it('hashes exactly the canonical JSON of the documented fields', () => {
      const [sealed] = sealEvents('stockpile-a', undefined, [draft(1, { b: 'x', a: [1, 'ü'] })]);
      const expected = sha256(
        '{"data":{"a":[1,"ü"],"b":"x"},"effectiveAt":"2026-02-01T00:00:00.000Z",' +
          '"eventId":"00000000-0000-7000-8000-000000000001",' +
          '"metadata":{"actor":{"name":"jogmec","roles":["recorder"]},"causationId":"c-1","correlationId":"c-1",' +
          `"prevHash":"${GENESIS_HASH}"},"prevHash":"${GENESIS_HASH}","revision":"0","schemaVersion":1,` +
          '"streamId":"stockpile-a","type":"StockpileAcquired"}',
      );
      expect(sealed!.metadata.hash).toBe(expected);
      expect(eventHash({ ...sealed!, streamId: 'stockpile-a', revision: 0n })).toBe(expected);
    });

    it('gives the same hash whatever the order of keys, and another for another revision', () => {
      const [a] = sealEvents('s-1', undefined, [draft(1, { x: 1, y: 2 })]);
      const [b] = sealEvents('s-1', undefined, [draft(1, { y: 2, x: 1 })]);
      expect(a!.metadata.hash).toBe(b!.metadata.hash);
      const [moved] = sealEvents('s-1', { ...a!, streamId: 's-1', revision: 4n }, [draft(1, { x: 1, y: 2 })]);
      expect(moved!.metadata.prevHash).toBe(a!.metadata.hash);
      expect(moved!.metadata.hash).not.toBe(a!.metadata.hash);
    });

    it('replaces a stale prevHash and hash when sealing again', () => {
      const [once] = sealEvents('s-1', undefined, [draft(1)]);
      const [twice] = sealEvents('s-1', undefined, [once!]);
      expect(twice).toEqual(once);
    });
  });
});
