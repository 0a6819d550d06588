import { ConfigError, loadStoreConfig } from './store-config';

describe('loadStoreConfig', () => {
  describe('when LEDGER_EVENT_STORE names the event store', () => {
    it('defaults to the embedded SQLite file', () => {
      expect(loadStoreConfig({}).eventStore).toEqual({ kind: 'sqlite' });
    });

    it.each(['postgres://ledger:secret@db:5432/ledger', 'postgresql://db/ledger?sslmode=require'])(
      'selects PostgreSQL for %s',
      (url) => {
        expect(loadStoreConfig({ LEDGER_EVENT_STORE: url }).eventStore).toEqual({ kind: 'postgres', url });
      },
    );

    it('selects EventStoreDB for an esdb:// or kurrentdb:// connection string', () => {
      expect(loadStoreConfig({ LEDGER_EVENT_STORE: 'kurrentdb://node:2113?tls=false' }).eventStore).toEqual({
        kind: 'eventstoredb',
        connectionString: 'esdb://node:2113?tls=false',
      });
    });

    it('refuses anything else, naming what it accepts', () => {
      expect(() => loadStoreConfig({ LEDGER_EVENT_STORE: 'mysql://db/ledger' })).toThrow(ConfigError);
      expect(() => loadStoreConfig({ LEDGER_EVENT_STORE: 'postgres://' })).toThrow(/PostgreSQL URL/);
    });
  });
});
