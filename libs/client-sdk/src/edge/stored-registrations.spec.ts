import { StoredRegistrations } from './stored-registrations';

describe('client-sdk — when the edge re-stores a registration', () => {
  let now = 0;
  const stored = new StoredRegistrations(() => now);

  it('skips refreshes of unchanged bindings during the first ⅔ of the stored lifetime', () => {
    stored.record('bob@p2psip.test', 300, 'sip:bob@127.0.0.1:5070');
    now = 150_000;
    expect(stored.isFresh('bob@p2psip.test', 300, 'sip:bob@127.0.0.1:5070')).toBe(true);
    now = 201_000;
    expect(stored.isFresh('bob@p2psip.test', 300, 'sip:bob@127.0.0.1:5070')).toBe(false);
  });

  it('stores again when the bindings changed or the entry is gone', () => {
    now = 0;
    stored.record('bob@p2psip.test', 300, 'a');
    expect(stored.isFresh('bob@p2psip.test', 300, 'a b')).toBe(false);
    stored.forget('bob@p2psip.test');
    expect(stored.isFresh('bob@p2psip.test', 300, 'a')).toBe(false);
    expect(stored.isFresh('carol@p2psip.test', 300, 'a')).toBe(false);
  });
});
