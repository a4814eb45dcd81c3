import { StoredRegistrations } from './stored-registrations';

describe('client-sdk — when the edge re-stores a registration', () => {
  let now = 0;
  const stored = new StoredRegistrations(() => now);

  beforeEach(() => {
    now = 0;
    stored.forget('bob@p2psip.test');
    stored.forget('carol@p2psip.test');
  });

  it('skips stores during the first ⅔ of the stored lifetime, whatever the bindings', () => {
    stored.record('bob@p2psip.test', 300);
    now = 150_000;
    expect(stored.isFresh('bob@p2psip.test')).toBe(true);
    expect(stored.due()).toEqual([]);
    now = 200_000;
    expect(stored.isFresh('bob@p2psip.test')).toBe(false);
    expect(stored.due()).toEqual(['bob@p2psip.test']);
  });

  it('lists only the entries due for renewal', () => {
    stored.record('bob@p2psip.test', 60);
    stored.record('carol@p2psip.test', 600);
    now = 41_000;
    expect(stored.due()).toEqual(['bob@p2psip.test']);
  });

  it('stores again when the entry was withdrawn or never stored', () => {
    stored.record('bob@p2psip.test', 300);
    stored.forget('bob@p2psip.test');
    expect(stored.isFresh('bob@p2psip.test')).toBe(false);
    expect(stored.isFresh('carol@p2psip.test')).toBe(false);
    expect(stored.due()).toEqual([]);
  });
});
