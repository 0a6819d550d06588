import { createHash } from 'node:crypto';
import { ChainVerifier } from './chain-verifier';
import type { RecordedEvent } from './event-envelope';
import {
  clampRecordedAt,
  DIGEST_VERSION,
  GENESIS_CHECKPOINT,
  logDigest,
  nextDigest,
  nextDigestCheckpoint,
  nextLogDigest,
} from './log-digest';
import { GENESIS_HASH } from './seal';
import { sealedLog as buildLog } from './testing/sealed-log';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const clone = (log: RecordedEvent[]): RecordedEvent[] => structuredClone(log);

const plan: [string, number][] = [
  ['a-1', 2],
  ['b-1', 2],
  ['a-1', 2],
];

describe('The log digest', () => {
  describe('version 2', () => {
    it('is 64 zeros for an empty log, then the hash of the canonical JSON of digest, hash, recorded time and sequence', () => {
      const log = buildLog([['a-1', 2]]);
      expect(DIGEST_VERSION).toBe(2);
      expect(logDigest([])).toBe(GENESIS_HASH);
      const one = sha256(
        `{"digest":"${GENESIS_HASH}","hash":"${log[0]!.metadata.hash}",` +
          `"recordedAt":"2026-03-01T00:00:01.000Z","sequence":"1"}`,
      );
      expect(logDigest(log, 1n)).toBe(one);
      expect(logDigest(log)).toBe(
        sha256(
          `{"digest":"${one}","hash":"${log[1]!.metadata.hash}",` +
            `"recordedAt":"2026-03-01T00:00:02.000Z","sequence":"2"}`,
        ),
      );
      expect(
        nextLogDigest(GENESIS_HASH, {
          hash: log[0]!.metadata.hash as string,
          sequence: 1n,
          recordedAt: log[0]!.recordedAt,
        }),
      ).toBe(one);
    });

    it('no longer matches once an event before its cut was altered, even with the stored hash kept', () => {
      const log = buildLog(plan);
      const published = logDigest(log, 3n);
      const altered = clone(log);
      (altered[1]!.data as { n: number }).n = 7;
      expect(logDigest(altered, 3n)).not.toBe(published);
      // events after the cut do not change it
      const later = clone(log);
      (later[5]!.data as { n: number }).n = 7;
      expect(logDigest(later, 3n)).toBe(published);
    });

    it('no longer matches once a recorded time before its cut was altered', () => {
      const log = buildLog(plan);
      const shifted = clone(log);
      shifted[2]!.recordedAt = '2026-03-01T00:00:02.500Z';
      expect(logDigest(shifted, 4n)).not.toBe(logDigest(log, 4n));
      expect(logDigest(shifted, 2n)).toBe(logDigest(log, 2n));
    });

    it('covers the running maximum of recorded times, as every reader clamps them', () => {
      expect(clampRecordedAt('', '2026-03-01T00:00:01.000Z')).toBe('2026-03-01T00:00:01.000Z');
      expect(clampRecordedAt('2026-03-01T00:00:05.000Z', '2026-03-01T00:00:04.000Z')).toBe(
        '2026-03-01T00:00:05.000Z',
      );
      const log = buildLog(plan, {
        recordedAtOf: (sequence) => `2026-03-01T00:00:0${sequence === 3 ? 1 : sequence}.000Z`,
      });
      const clamped = clone(log);
      clamped[2]!.recordedAt = clamped[1]!.recordedAt;
      expect(logDigest(log)).toBe(logDigest(clamped));
    });

    it('is the same whatever positions the store gave: it numbers events by their sequence', () => {
      const offsets = buildLog(plan, { positionOf: (sequence) => BigInt(sequence) * 100n + 7n });
      expect(logDigest(offsets)).toBe(logDigest(buildLog(plan)));
      expect(logDigest(offsets, { sequence: 3n })).toBe(logDigest(buildLog(plan), 3n));
      expect(logDigest(offsets, 307n)).toBe(logDigest(offsets, { sequence: 3n }));
      // a cut between two positions ends at the last event before it
      expect(logDigest(offsets, 399n)).toBe(logDigest(offsets, { sequence: 3n }));
    });

    it('goes on from a checkpoint to the same digest as from the start', () => {
      const log = buildLog(plan);
      const checkpoint = log
        .slice(0, 3)
        .reduce((at, event) => nextDigestCheckpoint(at, event), GENESIS_CHECKPOINT);
      expect(checkpoint).toMatchObject({ position: 3n, sequence: 3n, recordedAt: log[2]!.recordedAt });
      expect(checkpoint.digest).toBe(logDigest(log, 3n));
      expect(logDigest(log.slice(3), { from: checkpoint })).toBe(logDigest(log));
      expect(logDigest(log.slice(3), { from: checkpoint, sequence: 5n })).toBe(logDigest(log, 5n));
    });

    it('refuses a cut both by position and by sequence, and a checkpoint beyond its cut', () => {
      const log = buildLog(plan);
      expect(() => logDigest(log, { position: 2n, sequence: 2n })).toThrow(RangeError);
      const checkpoint = nextDigestCheckpoint(nextDigestCheckpoint(GENESIS_CHECKPOINT, log[0]!), log[1]!);
      expect(() => logDigest(log.slice(2), { from: checkpoint, sequence: 1n })).toThrow(RangeError);
    });

    it('is what the verifier folds', () => {
      const log = buildLog(plan);
      const verifier = new ChainVerifier();
      log.slice(0, 4).forEach((event) => verifier.add(event));
      expect(verifier.digest).toBe(logDigest(log, 4n));
      expect(verifier.checkpoint).toEqual(
        log.slice(0, 4).reduce((at, event) => nextDigestCheckpoint(at, event), GENESIS_CHECKPOINT),
      );
    });
  });

  describe('version 1, for digests published before version 2', () => {
    it('is 64 zeros for an empty log and sha256(previous + hash) after each event', () => {
      const log = buildLog([['a-1', 2]]);
      expect(logDigest([], { version: 1 })).toBe(GENESIS_HASH);
      const one = sha256(GENESIS_HASH + log[0]!.metadata.hash);
      expect(logDigest(log, { position: 1n, version: 1 })).toBe(one);
      expect(logDigest(log, { version: 1 })).toBe(sha256(one + log[1]!.metadata.hash));
      expect(nextDigest(GENESIS_HASH, log[0]!.metadata.hash as string)).toBe(one);
      expect(
        nextLogDigest(
          GENESIS_HASH,
          { hash: log[0]!.metadata.hash as string, sequence: 1n, recordedAt: '' },
          1,
        ),
      ).toBe(one);
    });

    it('no longer matches once content before its cut was altered, but does not cover recorded time', () => {
      const log = buildLog(plan);
      const published = logDigest(log, { position: 3n, version: 1 });
      const altered = clone(log);
      (altered[1]!.data as { n: number }).n = 7;
      expect(logDigest(altered, { position: 3n, version: 1 })).not.toBe(published);
      const shifted = clone(log);
      shifted[1]!.recordedAt = '2027-03-01T00:00:02.000Z';
      expect(logDigest(shifted, { position: 3n, version: 1 })).toBe(published);
    });
  });
});
