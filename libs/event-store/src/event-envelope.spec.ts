import { verifyChains } from './chain-verifier';
import { envelopeFromJson, envelopeToJson, logEntryToJson } from './event-envelope';
import { sealedLog as buildLog } from './testing/sealed-log';

describe('The JSON form of an envelope', () => {
  it('reads back what envelopeToJson wrote, and the hash still holds', () => {
    const log = buildLog([['a-1', 2]]);
    const lines = log.map((event) => JSON.stringify(envelopeToJson(event)));
    const back = lines.map((line) => envelopeFromJson(JSON.parse(line)));
    expect(back).toEqual(log);
    expect(verifyChains(back).verified).toBe(true);
  });

  it('refuses a line without a field', () => {
    const json = envelopeToJson(buildLog([['a-1', 1]])[0]!) as Record<string, unknown>;
    delete json.streamId;
    expect(() => envelopeFromJson(json)).toThrow(/streamId/);
    expect(() => envelopeFromJson({ ...json, streamId: 's', position: '1e3' })).toThrow(/position/);
  });

  it('writes a log line as the envelope followed by its sequence and digest, and reads them back', () => {
    const [event] = buildLog([['a-1', 1]]);
    const digest = 'ab'.repeat(32);
    const json = logEntryToJson(event!, { sequence: 1n, digest });
    expect(Object.keys(json).slice(-2)).toEqual(['sequence', 'digest']);
    expect(json).toMatchObject({ ...envelopeToJson(event!), sequence: '1', digest });
    expect(envelopeFromJson(JSON.parse(JSON.stringify(json)))).toEqual({ ...event, sequence: 1n, digest });
  });

  it('refuses a malformed sequence or digest', () => {
    const json = logEntryToJson(buildLog([['a-1', 1]])[0]!, { sequence: 1n, digest: 'ab'.repeat(32) });
    expect(() => envelopeFromJson({ ...json, sequence: '-1' })).toThrow(/sequence/);
    expect(() => envelopeFromJson({ ...json, digest: 'AB'.repeat(32) })).toThrow(/digest/);
  });
});
