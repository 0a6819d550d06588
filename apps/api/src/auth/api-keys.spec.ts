import { Logger } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyFileError, ApiKeyRegistry } from './api-keys';

const admin = { key: 'unit-admin-key-000000001', name: 'ops', roles: ['admin'], countries: [] };
const reader = { key: 'unit-reader-key-00000001', name: 'iea', roles: ['reader'], countries: [] };
const recorder = { key: 'unit-recorder-key-000001', name: 'jogmec', roles: ['recorder'], countries: ['JP'] };

describe('ApiKeyRegistry', () => {
  let folder: string;
  let file: string;
  const write = (entries: unknown) => writeFileSync(file, JSON.stringify(entries));

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'api-keys-'));
    file = join(folder, 'keys.json');
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  /** The refusal of a key file, which must be an ApiKeyFileError. */
  const refusal = (entries: unknown): string => {
    write(entries);
    try {
      ApiKeyRegistry.fromFile(file);
    } catch (error) {
      expect(error).toBeInstanceOf(ApiKeyFileError);
      return (error as Error).message;
    }
    throw new Error('the key file was accepted');
  };

  it('authenticates each key of a valid file as its holder', () => {
    write([admin, reader, recorder]);
    const keys = ApiKeyRegistry.fromFile(file);
    expect(keys.authenticate(recorder.key)).toEqual({
      name: 'jogmec',
      roles: ['recorder'],
      countries: ['JP'],
    });
    expect(keys.authenticate('unit-unknown-key-0000001')).toBeUndefined();
  });

  describe('refuses a file that would start with other powers than it says, naming the entry', () => {
    it('a key that appears twice (the last entry would win), without printing the key', () => {
      const message = refusal([admin, reader, { ...admin, name: 'ops-copy', roles: ['reader'] }]);
      expect(message).toContain(`${file}[2] (name "ops-copy").key is the key of ${file}[0] (name "ops")`);
      expect(message).not.toContain(admin.key);
    });

    it('an empty roles list', () => {
      expect(refusal([admin, { ...reader, roles: [] }])).toContain(`${file}[1] (name "iea").roles is empty`);
    });

    it('an unknown role, named', () => {
      expect(refusal([{ ...reader, roles: ['reader', 'superuser'] }])).toContain(
        `${file}[0] (name "iea").roles: "superuser" is not a role`,
      );
    });

    it('a name used twice', () => {
      expect(refusal([admin, { ...reader, name: 'ops' }])).toContain(
        `${file}[1] (name "ops"): the name is already used by ${file}[0] (name "ops")`,
      );
    });

    it('an entry without a name, by its index', () => {
      expect(refusal([admin, { ...reader, name: ' ' }])).toContain(
        `${file}[1].name must be a non-empty string`,
      );
    });
  });

  describe('reload (what SIGHUP does)', () => {
    it('swaps in the new file whole: added keys work, removed ones no longer do', () => {
      write([admin, reader]);
      const keys = ApiKeyRegistry.fromFile(file);
      write([admin, recorder]);
      expect(keys.reload()).toBe(2);
      expect(keys.authenticate(recorder.key)?.name).toBe('jogmec');
      expect(keys.authenticate(reader.key)).toBeUndefined();
    });

    it('keeps every old key in force when the new file has a mistake, even in its last entry', () => {
      write([admin, reader]);
      const keys = ApiKeyRegistry.fromFile(file);
      write([recorder, { ...reader, roles: ['admin'] }, { ...reader, name: 'dup' }]);
      expect(() => keys.reload()).toThrow(ApiKeyFileError);
      expect(keys.authenticate(admin.key)?.name).toBe('ops');
      expect(keys.authenticate(reader.key)?.roles).toEqual(['reader']);
      expect(keys.authenticate(recorder.key)).toBeUndefined();
    });

    it('logs a refused file plainly, naming the entry, with no stack trace', () => {
      write([admin]);
      const keys = ApiKeyRegistry.fromFile(file);
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        write([admin, { ...reader, roles: [] }]);
        keys.reloadAndReport();
        expect(logged).toHaveBeenCalledTimes(1);
        expect(logged.mock.calls[0]).toEqual([
          expect.stringContaining(`${file}[1] (name "iea").roles is empty`),
        ]);
      } finally {
        logged.mockRestore();
      }
    });

    it('runs on SIGHUP while the application is up, and not after it stopped', () => {
      write([admin]);
      const keys = ApiKeyRegistry.fromFile(file);
      const logged = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
      try {
        keys.onApplicationBootstrap();
        write([admin, reader]);
        process.emit('SIGHUP', 'SIGHUP');
        expect(keys.authenticate(reader.key)?.name).toBe('iea');
        keys.onApplicationShutdown();
        write([admin]);
        process.emit('SIGHUP', 'SIGHUP');
        expect(keys.authenticate(reader.key)?.name).toBe('iea');
      } finally {
        keys.onApplicationShutdown();
        logged.mockRestore();
      }
    });
  });
});
